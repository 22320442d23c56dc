package files

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"path"
	"strings"

	"datakart/connectors"
)

// An e-mail (.eml) is read as a container: the headers that name people
// are fields of the message, and each part of its body (the text, the
// HTML, every attachment) is a member, decoded from base64 or
// quoted-printable and read like an archive member. A support mail's
// attached CSV export is scanned as a CSV.

// maxHeaderBytes bounds the header block of a message: past it, the file
// is not a message anyone wrote by hand.
const maxHeaderBytes = 1 << 20

// maxMultipartDepth bounds multiparts nested in multiparts.
const maxMultipartDepth = 16

// mailHeaders are the headers read as fields: those that name people, and
// the subject, where a case number or a name often stands.
var mailHeaders = []string{"From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Subject"}

func (d *decoder) mail(ctx context.Context, r io.Reader, part string, depth int) error {
	if d.tooDeep(part, "eml", depth) {
		return nil
	}
	br := bufio.NewReader(r)
	hdr, block, err := readHeader(br)
	d.sink.Begin(connectors.Part{Path: part, Kind: "eml"})
	if err != nil {
		// Not a message after all: its bytes are still read, as text.
		d.sink.PartError(fmt.Errorf("not an e-mail (%w); read as text", err))
		if err := readText(ctx, io.MultiReader(bytes.NewReader(block), br), 1, d.sink); err != nil && ctx.Err() == nil {
			d.sink.PartError(err)
		}
		return ctx.Err()
	}
	var words mime.WordDecoder
	for _, h := range mailHeaders {
		for _, v := range hdr.Values(h) {
			if dec, err := words.DecodeHeader(v); err == nil {
				v = dec
			}
			if err := d.sink.Value(connectors.Value{Field: h, Data: []byte(v), Line: 1}); err != nil {
				return err
			}
		}
	}
	m := &mailParts{d: d, message: part, depth: depth}
	if err := m.body(ctx, br, hdr, 0); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d.sink.Begin(connectors.Part{Path: part, Kind: "eml"})
		d.sink.PartError(fmt.Errorf("e-mail: %w", err))
	}
	return nil
}

// mailParts reads the body of one message into members.
type mailParts struct {
	d       *decoder
	message string // the message's part path
	depth   int    // the message's archive depth
	parts   int    // members so far
	stopped bool   // past --max-archive-entries: the rest is not read
}

// body reads a body (or a part of one) with header hdr, nested multipart
// levels deep.
func (m *mailParts) body(ctx context.Context, r io.Reader, hdr textproto.MIMEHeader, nested int) error {
	media, params, err := mime.ParseMediaType(hdr.Get("Content-Type"))
	if err != nil {
		media = "text/plain" // RFC 2045: the default, and what a broken type is read as
	}
	if boundary := params["boundary"]; strings.HasPrefix(media, "multipart/") && boundary != "" {
		if nested >= maxMultipartDepth {
			return fmt.Errorf("multiparts nested more than %d deep", maxMultipartDepth)
		}
		mr := multipart.NewReader(r, boundary)
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := m.body(ctx, p, p.Header, nested+1); err != nil || m.stopped {
				return err
			}
		}
	}
	m.parts++
	name := partName(hdr, media, m.parts)
	member := joinPart(m.message, name)
	if skip, stop := m.d.skipMember(member, m.parts); skip || stop {
		m.stopped = stop
		return nil
	}
	content := transferDecoded(r, hdr.Get("Content-Transfer-Encoding"))
	if media == "message/rfc822" {
		return m.d.mail(ctx, &budgetReader{content, m.d}, member, m.depth+1)
	}
	return m.d.decode(ctx, &budgetReader{content, m.d}, name, member, m.depth+1)
}

// partName names a part of a message: its file name when it is an
// attachment, else body.txt, body.html or part-N with an extension for
// its type, so the member is read as what it is.
func partName(hdr textproto.MIMEHeader, media string, n int) string {
	_, dp, _ := mime.ParseMediaType(hdr.Get("Content-Disposition"))
	_, tp, _ := mime.ParseMediaType(hdr.Get("Content-Type"))
	for _, name := range []string{dp["filename"], tp["name"]} {
		// Only the last element: a name is not a path to follow.
		if name = path.Base(strings.ReplaceAll(name, "\\", "/")); name != "." && name != "/" && name != "" {
			return name
		}
	}
	switch media {
	case "text/plain":
		return fmt.Sprintf("body-%d.txt", n)
	case "text/html":
		return fmt.Sprintf("body-%d.html", n)
	case "text/csv":
		return fmt.Sprintf("part-%d.csv", n)
	case "message/rfc822":
		return fmt.Sprintf("part-%d.eml", n)
	}
	return fmt.Sprintf("part-%d", n)
}

// transferDecoded undoes a part's Content-Transfer-Encoding.
func transferDecoded(r io.Reader, encoding string) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &lineBreakSkipper{r: r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// lineBreakSkipper drops the line breaks and spaces of base64 text, which
// encoding/base64 skips only as CR and LF.
type lineBreakSkipper struct{ r io.Reader }

func (s *lineBreakSkipper) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		kept := 0
		for _, c := range p[:n] {
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				p[kept] = c
				kept++
			}
		}
		if kept > 0 || err != nil {
			return kept, err
		}
	}
}

// readHeader reads a header block up to its blank line, at most
// maxHeaderBytes of it, and returns it parsed and as it was read.
func readHeader(br *bufio.Reader) (textproto.MIMEHeader, []byte, error) {
	var block []byte
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			err = nil // a long line: read on
		}
		block = append(block, line...)
		if len(block) > maxHeaderBytes {
			return nil, block, fmt.Errorf("headers over %d bytes", maxHeaderBytes)
		}
		if errors.Is(err, io.EOF) || len(line) > 0 && line[len(line)-1] == '\n' && len(bytes.TrimRight(line, "\r\n")) == 0 {
			break
		}
		if err != nil {
			return nil, block, err
		}
	}
	// textproto wants the blank line, which the end of a file may lack.
	hdr, err := textproto.NewReader(bufio.NewReader(io.MultiReader(bytes.NewReader(block), strings.NewReader("\r\n")))).ReadMIMEHeader()
	if err != nil {
		return nil, block, err
	}
	return hdr, block, nil
}
