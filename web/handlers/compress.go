package handlers

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// compressLevel trades CPU for bytes. Compressing was a fifth of the
// portal's CPU on the audit page (36 KiB) with the standard library at
// level 5 (430 µs); klauspost's encoder at its fastest level takes 86 µs
// for 5 % more bytes (5,247 against 5,004).
const compressLevel = flate.BestSpeed

// encodings are the content codings the portal answers in, best first.
// zstd at its fastest level makes the 48 KB audit page 12 % smaller than
// gzip at its fastest, in less CPU (51 against 57 µs); browsers that do
// not take it (Safari) get gzip. Brotli was measured and left out: at
// gzip's CPU it is larger than gzip, and 15 % smaller costs 3.4 times the
// CPU (andybalholm/brotli level 2, 192 µs).
var encodings = []string{"zstd", "gzip", "deflate"}

// zstdWindow bounds what a zstd stream refers back to: RFC 9659 asks
// senders to stay within 8 MiB so browsers can decode it, and a smaller
// window keeps each pooled encoder small.
const zstdWindow = 1 << 20

// compress compresses HTML, JSON and CSV for clients that accept it, in
// the encoding they prefer among encodings. Other types (the static
// files' CSS, scripts, images and PDFs) go as they are, so nothing
// already compressed is compressed again and file ranges stay byte
// ranges.
func compress(next http.Handler) http.Handler {
	c := middleware.NewCompressor(compressLevel, "text/html", "application/json", "text/csv")
	// chi's own encoders take a compressor (about 1 MB) from its pool as
	// the request arrives and keep it until the handler returns, so 500
	// requests waiting on the database held 300 MB (TestSignInFloodMemory).
	// The request names one encoding by the time chi sees it (below), so
	// the order in which they are set does not matter.
	for _, e := range []struct {
		name string
		pool *sync.Pool
	}{
		{"deflate", &sync.Pool{New: func() any { w, _ := flate.NewWriter(io.Discard, compressLevel); return w }}},
		{"gzip", &sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, compressLevel); return w }}},
		{"zstd", &sync.Pool{New: func() any {
			// No content checksum (RFC 8878 makes it optional): TCP and
			// TLS already check the bytes, and hashing every page was a
			// tenth of the encoder's time.
			w, _ := zstd.NewWriter(io.Discard, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
				zstd.WithWindowSize(zstdWindow), zstd.WithLowerEncoderMem(true), zstd.WithEncoderCRC(false))
			return w
		}}},
	} {
		c.SetEncoder(e.name, func(w io.Writer, _ int) io.Writer { return &lazyEncoder{dst: w, pool: e.pool} })
	}
	h := c.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// chi matches encodings by substring, so "gzip;q=0" (gzip
		// refused) would get gzip; it is told the one chosen here.
		if enc := chooseEncoding(r.Header.Values("Accept-Encoding")); enc != "" {
			r.Header.Set("Accept-Encoding", enc)
		} else {
			r.Header.Del("Accept-Encoding")
			// The compressor marks Vary only on what it compresses; a
			// cache must not serve a plain answer to a client that asked
			// for compression either.
			w.Header().Add("Vary", "Accept-Encoding")
		}
		h.ServeHTTP(w, r)
	})
}

// chooseEncoding is the coding of encodings the Accept-Encoding header
// values rank highest (RFC 9110 12.5.3), ties going to the earlier one in
// encodings; "" when the client takes none of them. A coding with q=0 is
// refused, and "*" stands for every coding not named.
func chooseEncoding(values []string) string {
	q := map[string]float64{}
	star := -1.0
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			w := 1.0
			for p := range strings.SplitSeq(params, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
					if err != nil || f < 0 || f > 1 {
						f = 0 // a malformed weight: not worth guessing
					}
					w = f
				}
			}
			if name == "*" {
				star = w
			} else {
				q[name] = w
			}
		}
	}
	best, bestQ := "", 0.0
	for _, e := range encodings {
		w, named := q[e]
		if !named {
			w = max(star, 0)
		}
		if w > bestQ {
			best, bestQ = e, w
		}
	}
	return best
}

// pooledEncoder is a zstd, gzip or flate writer.
type pooledEncoder interface {
	io.Writer
	Close() error
	Reset(io.Writer)
	Flush() error
}

// lazyEncoder takes a compressor from its pool at the first write and
// gives it back when closed: a request holds one only while its answer
// is written, and an answer that is not compressed never takes one.
type lazyEncoder struct {
	dst  io.Writer
	pool *sync.Pool
	enc  pooledEncoder // nil until the first write
}

func (l *lazyEncoder) Write(p []byte) (int, error) {
	if l.enc == nil {
		l.enc = l.pool.Get().(pooledEncoder)
		l.enc.Reset(l.dst)
	}
	return l.enc.Write(p)
}

// Flush sends what is compressed so far (chi's Flush calls it).
func (l *lazyEncoder) Flush() error {
	if l.enc == nil {
		return nil
	}
	return l.enc.Flush()
}

// Close ends the stream, if one began, and returns the compressor.
func (l *lazyEncoder) Close() error {
	if l.enc == nil {
		return nil
	}
	err := l.enc.Close()
	l.enc.Reset(io.Discard)
	l.pool.Put(l.enc)
	l.enc = nil
	return err
}
