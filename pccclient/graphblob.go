package pccclient

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
)

// BlobError is Azure Storage refusing a blob: 403 AuthenticationFailed
// when the SAS token expired or is wrong (ask for a new export), 404
// BlobNotFound, or a 5xx that outlived the retries.
type BlobError struct {
	Blob    string
	Status  int
	Code    string // Azure Storage's error code (x-ms-error-code)
	Message string
}

func (e *BlobError) Error() string {
	return fmt.Sprintf("billing blob %s: %d %s: %s", e.Blob, e.Status, e.Code, e.Message)
}

// IsBlobAccessRefused reports a blob read refused for its SAS token
// (expired): the manifest is stale and the export must be asked again.
func IsBlobAccessRefused(err error) bool {
	var be *BlobError
	return errors.As(err, &be) && be.Status == http.StatusForbidden
}

var storageMessage = regexp.MustCompile(`(?s)<Message>(.*?)</Message>`)

// OpenBillingBlob opens blob b of manifest m for reading, line by line,
// decompressing as it arrives (a blob is never held in memory). The
// request carries no Authorization header: the SAS token in the URL is the
// credential, and Partner Center's token must not leave its hosts. 5xx
// answers and network errors before the body are retried with back-off.
func (c *Client) OpenBillingBlob(ctx context.Context, m *BillingManifest, b BillingBlob) (*BlobLines, error) {
	u := m.URL(b)
	hc := *c.cfg.HTTPClient
	hc.Timeout = c.cfg.PriceSheetTimeout
	maxAttempts := c.maxAttempts(ctx)
	var last error
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, fmt.Errorf("billing blob %s: %w", b.Name, err)
		}
		req.Header.Set("x-ms-version", "2021-08-06")
		req.Header.Set("User-Agent", c.cfg.UserAgent)
		resp, err := hc.Do(req)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			last = fmt.Errorf("billing blob %s: %w", b.Name, err)
		case resp.StatusCode == http.StatusOK:
			l, err := newBlobLines(b.Name, resp.Body)
			if err != nil {
				resp.Body.Close()
				return nil, err
			}
			return l, nil
		default:
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			be := &BlobError{Blob: b.Name, Status: resp.StatusCode, Code: resp.Header.Get("x-ms-error-code")}
			if sm := storageMessage.FindSubmatch(body); sm != nil {
				be.Message = strings.TrimSpace(string(sm[1]))
			} else {
				be.Message = strings.TrimSpace(string(body))
			}
			if resp.StatusCode < 500 {
				return nil, be
			}
			last = be
		}
		if attempt >= maxAttempts {
			return nil, last
		}
		c.cfg.Logger.Warn("pccclient: billing blob read failed, retrying", "blob", b.Name, "attempt", attempt, "err", last)
		if err := c.sleep(ctx, c.backoff(attempt)); err != nil {
			return nil, err
		}
	}
}

// BlobLines reads the JSON lines of a blob. Use Next, Bytes, then Err;
// Close it.
type BlobLines struct {
	name string
	body io.ReadCloser
	br   *bufio.Reader
	buf  []byte
	line []byte
	n    int
	err  error
}

func newBlobLines(name string, body io.ReadCloser) (*BlobLines, error) {
	br := bufio.NewReaderSize(body, 256<<10)
	var rd io.Reader = br
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("billing blob %s: gzip: %w", name, err)
		}
		rd = zr
	}
	return &BlobLines{name: name, body: body, br: bufio.NewReaderSize(rd, 256<<10)}, nil
}

// Next reads the next non-empty line; false at the end or on an error.
func (l *BlobLines) Next() bool {
	if l.err != nil {
		return false
	}
	for {
		l.buf = l.buf[:0]
		for {
			chunk, err := l.br.ReadSlice('\n')
			l.buf = append(l.buf, chunk...)
			if err == bufio.ErrBufferFull {
				continue
			}
			if err != nil && err != io.EOF {
				l.err = fmt.Errorf("billing blob %s: line %d: %w", l.name, l.n+1, err)
				return false
			}
			if err == io.EOF && len(l.buf) == 0 {
				l.err = io.EOF
				return false
			}
			break
		}
		line := bytes.TrimSpace(l.buf)
		if len(line) == 0 {
			continue
		}
		l.n++
		l.line = line
		return true
	}
}

// Bytes is the current line, valid until the next Next.
func (l *BlobLines) Bytes() []byte { return l.line }

// Line is the number of lines read so far.
func (l *BlobLines) Line() int { return l.n }

// Err is the error that ended the lines (nil at a clean end).
func (l *BlobLines) Err() error {
	if l.err == io.EOF {
		return nil
	}
	return l.err
}

// Close releases the connection.
func (l *BlobLines) Close() error {
	if l.err == nil {
		l.err = io.EOF
	}
	return l.body.Close()
}
