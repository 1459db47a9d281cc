module github.com/hvic/hvic

go 1.23.0

require (
	github.com/0xrawsec/golang-evtx v1.2.9
	github.com/0xrawsec/golang-utils v1.3.0
	github.com/stretchr/testify v1.12.1
	golang.org/x/text v0.28.0
	www.velocidex.com/golang/regparser v0.0.0-20250203141505-31e704a67ef7
)

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
