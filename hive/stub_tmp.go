package hive

func fromBytes(name string, base []byte, logs []LogFile, o Options) (*Hive, error) {
	return nil, ErrNotHive
}

func (h *Hive) lookup(path string) (uint32, []string, error) { return 0, nil, ErrKeyNotFound }

func (h *Hive) readKey(off uint32, path string) (*Key, error) { return nil, ErrKeyNotFound }

func (h *Hive) walk(off uint32, path string, fn func(*Key, error) error) error { return nil }
