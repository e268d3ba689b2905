package analyze

import (
	"errors"
	"io"
)

// aheadReader reads its source in a goroutine of its own and hands the
// bytes over in chunks through a short queue, so that decompressing a zip
// member (and decoding UTF-16) runs on one core while the file's reader
// parses on another. Memory is bounded: chunksAhead+2 buffers of chunkSize.
//
// Concurrency: the goroutine alone reads src until it stops; Read and
// Close are for one goroutine (the parser). Close stops the goroutine,
// waits for it, then closes src, so src is never read and closed at once.
type aheadReader struct {
	src  io.ReadCloser
	full chan aheadChunk
	free chan []byte
	stop chan struct{}
	done chan struct{}

	cur  []byte // unread part of the chunk being consumed
	buf  []byte // that chunk's buffer, recycled when it is used up
	err  error  // the source's error after the last chunk
	shut bool
}

type aheadChunk struct {
	b   []byte
	err error
}

const (
	chunkSize   = 256 << 10
	chunksAhead = 4
)

func newAheadReader(src io.ReadCloser) *aheadReader {
	r := &aheadReader{
		src:  src,
		full: make(chan aheadChunk, chunksAhead),
		free: make(chan []byte, chunksAhead+2),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	for range chunksAhead + 2 {
		r.free <- make([]byte, chunkSize)
	}
	go r.run()
	return r
}

func (r *aheadReader) run() {
	defer close(r.done)
	for {
		var buf []byte
		select {
		case buf = <-r.free:
		case <-r.stop:
			return
		}
		n, err := io.ReadFull(r.src, buf)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = io.EOF
		}
		select {
		case r.full <- aheadChunk{buf[:n], err}:
		case <-r.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

func (r *aheadReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.buf != nil {
			r.free <- r.buf[:cap(r.buf)]
			r.buf = nil
		}
		c := <-r.full
		r.buf, r.cur, r.err = c.b, c.b, c.err
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// Close stops the read-ahead and closes the source.
func (r *aheadReader) Close() error {
	if r.shut {
		return nil
	}
	r.shut = true
	close(r.stop)
	<-r.done
	return r.src.Close()
}
