package hive_test

import (
	"context"
	"fmt"

	"github.com/hvic/hvic/hive"
)

func ExampleExtractFacts() {
	// The text a customer pastes after running the KB's command.
	text := "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Auto\r\n" +
		"    IntegrationServicesVersion    REG_SZ    6.3.9600.16384\r\n" +
		"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest\\Parameters\r\n" +
		"    VirtualMachineName    REG_SZ    WEB01\r\n"
	src, err := hive.ParseRegQuery(context.Background(), []byte(text), &hive.ExportOptions{File: "auto.txt"})
	if err != nil {
		fmt.Println(err)
		return
	}
	f := hive.ExtractFacts(src, "auto.txt")
	fmt.Println(f.Side)
	fmt.Println(f.Guest.VirtualMachineName.Value, f.Guest.IntegrationServicesVersion.Value)
	fmt.Println(f.Guest.IntegrationServicesVersion.Source.Key)
	// Output:
	// guest
	// WEB01 6.3.9600.16384
	// Microsoft\Virtual Machine\Auto
}

func ExampleParseReg() {
	reg := "Windows Registry Editor Version 5.00\r\n\r\n" +
		"[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Virtualization\\GuestInstaller\\Version]\r\n" +
		"\"Microsoft-Hyper-V-Guest-Installer-Win6x-Package\"=\"6.2.9200.16433\"\r\n"
	e, err := hive.ParseReg(context.Background(), []byte(reg), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	f := hive.ExtractFacts(e, "host.reg")
	v, _ := f.Host.GuestInstallerVersion(false)
	fmt.Println(f.Side, v.Value)
	// Output: host 6.2.9200.16433
}

func ExampleSniff() {
	fmt.Println(hive.Sniff([]byte("regf")))
	fmt.Println(hive.Sniff([]byte("REGEDIT4\r\n")))
	fmt.Println(hive.Sniff([]byte("\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\X\r\n")))
	fmt.Println(hive.Sniff([]byte("hello")))
	// Output:
	// hive
	// reg-export
	// reg-query
	// unknown
}
