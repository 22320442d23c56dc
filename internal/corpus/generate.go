package corpus

//go:generate go run ./gen ../../examples/exports
