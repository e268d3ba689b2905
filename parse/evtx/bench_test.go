package evtx

import (
	"bytes"
	"io"
	"os"
	"runtime"
	"strconv"
	"testing"

	"exlog/internal/cputime"
)

// benchFile is security.evtx and system.evtx side by side (3.3 MB, 4,142
// records): real logs, many templates, Security's long EventData.
func benchFile(b *testing.B) []byte {
	var data []byte
	for i, name := range []string{"security.evtx", "system.evtx"} {
		f, err := os.ReadFile("testdata/" + name)
		if err != nil {
			b.Fatal(err)
		}
		if i > 0 {
			f = f[fileHeaderSize:] // the second file's chunks follow the first's
		}
		data = append(data, f...)
	}
	return data
}

func benchRead(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu0, cpuOK := cputime.Process()
	records := 0
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), "bench.evtx", nil)
		records = 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			records++
		}
	}
	b.ReportMetric(float64(records), "records/op")
	if cpu1, ok := cputime.Process(); ok && cpuOK && cpu1 > cpu0 {
		// Throughput per CPU-second (GC included): stable when the
		// machine is shared; wall-clock MB/s is not.
		b.ReportMetric(float64(len(data))*float64(b.N)/1e6/(cpu1-cpu0).Seconds(), "cpu-MB/s")
	}
}

// BenchmarkReader reads real logs; allocs/op divided by records/op gives
// allocations per record.
func BenchmarkReader(b *testing.B) { benchRead(b, benchFile(b)) }

// BenchmarkReaderLarge reads the same chunks repeated to 10 and 100 MB and
// reports the largest live heap seen while reading beyond the input itself:
// flat with file size because the reader holds one chunk.
func BenchmarkReaderLarge(b *testing.B) {
	for _, size := range []int{10 << 20, 100 << 20} {
		b.Run(strconv.Itoa(size>>20)+"MB", func(b *testing.B) {
			one := benchFile(b)
			data := append(make([]byte, 0, size+len(one)), one...)
			for len(data) < size {
				data = append(data, one[fileHeaderSize:]...)
			}
			one = nil
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				r := NewReader(bytes.NewReader(data), "large.evtx", nil)
				for n := 0; ; n++ {
					if _, err := r.Next(); err != nil {
						break
					}
					if n%20000 == 0 {
						runtime.GC()
						var ms runtime.MemStats
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapAlloc)
					}
				}
			}
			b.ReportMetric(float64(peak-uint64(cap(data)))/(1<<20), "live-MB-beyond-input")
		})
	}
}
