// Package nasty holds the hostile-input suite: its tests build a corpus of
// small hostile files (zip bombs, lying zip headers, deep nesting, 20,000
// entries, records and lines of hundreds of megabytes streamed through a
// pipe, entity expansion, external entities, odd UTF-16, NUL files,
// truncated archives, path traversal names, symbolic links) and run each
// through the whole analyze pipeline beside a good sample, asserting a
// clear message naming the file, bounded time and bounded memory, and
// that the good sample's findings survive. The small files are also
// committed under testdata/nasty (see its README); regenerate them with
//
//	go test ./internal/nasty -run TestNastyCorpusFiles -nasty.write ../../testdata/nasty
//
// The package has no code of its own.
package nasty
