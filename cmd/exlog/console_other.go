//go:build !windows

package main

// ownConsole reports whether exlog runs in a console window that was made
// for it alone (and closes when it exits). Never on Unix.
func ownConsole() bool { return false }
