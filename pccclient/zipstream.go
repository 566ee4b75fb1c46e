package pccclient

import (
	"bufio"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
)

// A price sheet zip is read as it arrives: archive/zip needs the central
// directory at the end of the file (an io.ReaderAt), which would mean
// holding or spooling the whole download. The first entry's local file
// header tells the method and, unless bit 3 defers them to a data
// descriptor, the sizes and CRC; a deflate stream ends by itself, so the
// entry can be inflated without knowing its size. Only the first entry
// (PC's archive holds one CSV) is read.

const (
	zipLocalSig      = 0x04034b50
	zipDescriptorSig = 0x08074b50
	zipFlagDeferred  = 0x8 // sizes and CRC follow the data (data descriptor)
	zipFlagEncrypted = 0x1
)

// zipEntryReader inflates the first entry of a zip stream and checks its CRC-32.
type zipEntryReader struct {
	src      *bufio.Reader
	data     io.Reader
	crc      hash.Hash32
	wantCRC  uint32
	deferred bool
	err      error
}

// newZipEntryReader reads the local file header at the start of src.
func newZipEntryReader(src *bufio.Reader) (*zipEntryReader, error) {
	var h [30]byte
	if _, err := io.ReadFull(src, h[:]); err != nil {
		return nil, fmt.Errorf("zip: local file header: %w", err)
	}
	le := binary.LittleEndian
	if le.Uint32(h[0:]) != zipLocalSig {
		return nil, errors.New("zip: no local file header")
	}
	flags, method := le.Uint16(h[6:]), le.Uint16(h[8:])
	crc, csize := le.Uint32(h[14:]), le.Uint32(h[18:])
	skip := int64(le.Uint16(h[26:])) + int64(le.Uint16(h[28:])) // name and extra field
	if _, err := io.CopyN(io.Discard, src, skip); err != nil {
		return nil, fmt.Errorf("zip: local file header: %w", err)
	}
	if flags&zipFlagEncrypted != 0 {
		return nil, errors.New("zip: the entry is encrypted")
	}
	z := &zipEntryReader{src: src, crc: crc32.NewIEEE(), wantCRC: crc, deferred: flags&zipFlagDeferred != 0}
	switch method {
	case 8: // deflate
		z.data = flate.NewReader(src) // src is an io.ByteReader: flate reads no further than its stream
	case 0: // stored
		if z.deferred || csize == 0xffffffff {
			return nil, errors.New("zip: a stored entry without its size in the local header cannot be streamed")
		}
		z.data = io.LimitReader(src, int64(csize))
	default:
		return nil, fmt.Errorf("zip: compression method %d is not supported", method)
	}
	return z, nil
}

func (z *zipEntryReader) Read(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	n, err := z.data.Read(p)
	z.crc.Write(p[:n])
	if err == io.EOF {
		err = z.finish()
	} else if err != nil {
		err = fmt.Errorf("zip: %w", err)
	}
	z.err = err
	return n, err
}

// finish reads the data descriptor, if any, and checks the CRC-32.
func (z *zipEntryReader) finish() error {
	want := z.wantCRC
	if z.deferred {
		var b [4]byte
		if _, err := io.ReadFull(z.src, b[:]); err != nil {
			return fmt.Errorf("zip: data descriptor: %w", err)
		}
		want = binary.LittleEndian.Uint32(b[:])
		if want == zipDescriptorSig { // the optional signature
			if _, err := io.ReadFull(z.src, b[:]); err != nil {
				return fmt.Errorf("zip: data descriptor: %w", err)
			}
			want = binary.LittleEndian.Uint32(b[:])
		}
	}
	if got := z.crc.Sum32(); got != want {
		return fmt.Errorf("zip: checksum error: CRC-32 %08x, archive says %08x", got, want)
	}
	return io.EOF
}
