package bundle

import (
	"bytes"
	"io"
	"os"
	"runtime"
)

// spillAbove is the size above which a zip that must be buffered to be
// read (a compressed zip inside a zip, or a zip on standard input) goes
// to a private temporary file instead of the heap, so that memory does
// not grow with the bundle. Smaller ones stay in memory.
const spillAbove = 4 << 20

// buffered is a zip read whole from a one-pass stream so that it can be
// read at random: in memory, or in an unlinked temporary file.
type buffered struct {
	io.ReaderAt
	size int64
	file *os.File // nil when in memory
	path string   // the temporary file's name where it could not be unlinked at once (Windows)
}

// Close releases the temporary file, if any.
func (b *buffered) Close() error {
	if b.file == nil {
		return nil
	}
	err := b.file.Close()
	if b.path != "" {
		os.Remove(b.path)
	}
	return err
}

// bufferZip reads r whole if it holds at most limit bytes (over is true,
// and nothing kept, when it holds more). hint is the expected size:
// above spillAbove (or, without a hint, once more than spillAbove bytes
// have come) the bytes go to a temporary file, created with mode 0600 in
// os.TempDir and unlinked at once where the system allows it (else when
// the buffer is closed). Where no temporary file can be made, the bytes
// stay in memory.
func bufferZip(r io.Reader, hint, limit int64) (_ *buffered, over bool, err error) {
	limit = max(limit, 0)
	lr := io.LimitReader(r, limit+1)
	var head bytes.Buffer
	if hint <= spillAbove {
		// Small or unknown size: in memory until it proves large. (A
		// declared large one goes to the file at once: growing a buffer
		// to spillAbove first costs as much as the copy.)
		head.Grow(int(min(max(hint, 0), limit, spillAbove) + bytes.MinRead))
		n, err := head.ReadFrom(io.LimitReader(lr, spillAbove+1))
		if err != nil {
			return nil, false, err
		}
		if n > limit {
			return nil, true, nil
		}
		if n <= spillAbove {
			return &buffered{ReaderAt: bytes.NewReader(head.Bytes()), size: n}, false, nil
		}
	}
	f, ferr := os.CreateTemp("", "exlog-nested-*.zip")
	if ferr != nil {
		return bufferInMemory(&head, lr, limit)
	}
	b := &buffered{ReaderAt: f, file: f}
	if runtime.GOOS == "windows" || os.Remove(f.Name()) != nil {
		b.path = f.Name()
	}
	total, err := head.WriteTo(f)
	if err == nil {
		var m int64
		m, err = io.Copy(f, lr)
		total += m
	}
	switch {
	case err != nil:
		b.Close()
		return nil, false, err
	case total > limit:
		b.Close()
		return nil, true, nil
	}
	b.size = total
	return b, false, nil
}

func bufferInMemory(head *bytes.Buffer, rest io.Reader, limit int64) (*buffered, bool, error) {
	n, err := head.ReadFrom(rest)
	if err != nil {
		return nil, false, err
	}
	if int64(head.Len()) > limit || n < 0 {
		return nil, true, nil
	}
	return &buffered{ReaderAt: bytes.NewReader(head.Bytes()), size: int64(head.Len())}, false, nil
}
