package files

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"path"
	"slices"
	"strings"

	"datakart/connectors"
)

// An e-mail (.eml) is read as a container: its headers are its fields,
// its text and HTML (decoded from base64 or
// quoted-printable) are its text, and each attachment is a member read
// like an archive member: a support mail's attached CSV export is scanned
// as a CSV.

// maxHeaderBytes bounds the header block of a message: past it, the file
// is not a message anyone wrote by hand.
const maxHeaderBytes = 1 << 20

// maxMultipartDepth bounds multiparts nested in multiparts.
const maxMultipartDepth = 16

func (d *decoder) mail(ctx context.Context, r io.Reader, part string, depth int) error {
	if d.tooDeep(part, "eml", depth) {
		return nil
	}
	return d.message(ctx, r, &mailParts{d: d, container: part, kind: "eml", depth: depth}, 1)
}

// message reads one message into m's container, starting at line line of
// its file.
func (d *decoder) message(ctx context.Context, r io.Reader, m *mailParts, line int) error {
	// The readers are kept from one message of a mailbox to the next.
	if m.br == nil {
		m.br = bufio.NewReader(r)
	} else {
		m.br.Reset(r)
	}
	br := m.br
	hdr, block, err := readHeader(br)
	d.sink.Begin(connectors.Part{Path: m.container, Kind: m.kind})
	if err != nil {
		// Not a message after all: its bytes are still read, as text.
		d.sink.PartError(fmt.Errorf("not an e-mail (%w); read as text", err))
		return d.textPart(ctx, io.MultiReader(bytes.NewReader(block), br), line, false)
	}
	// Every header is a field: besides From, To and the like, Received
	// holds the sender's IP address, and X- headers what a system put there.
	var words mime.WordDecoder
	for _, h := range slices.Sorted(maps.Keys(hdr)) {
		for _, v := range hdr[h] {
			if dec, err := words.DecodeHeader(v); err == nil {
				v = dec
			}
			if err := d.sink.Value(connectors.Value{Field: h, Data: []byte(v), Line: line}); err != nil {
				return err
			}
		}
	}
	m.line = line + bytes.Count(block, []byte("\n"))
	if err := m.body(ctx, br, hdr, 0); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d.sink.Begin(connectors.Part{Path: m.container, Kind: m.kind})
		d.sink.PartError(fmt.Errorf("e-mail: %w", err))
	}
	return nil
}

// mailParts reads the bodies of messages: their text into the container
// (the message, or the mailbox), every attachment into a member of it.
type mailParts struct {
	d         *decoder
	container string // the part path of the message or the mailbox
	kind      string // its kind: eml or mbox
	depth     int    // its archive depth
	line      int    // of the body being read, in its file
	members   int    // attachments so far
	stopped   bool   // past --max-archive-entries: the rest is not read
	// br reads the message, text a text part of its body.
	br, text *bufio.Reader
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
			if err := m.body(ctx, p, p.Header, nested+1); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				// A part that cannot be read (its base64 broken) is an
				// error of the message, and the parts after it are read:
				// a broken text part lost the rest of the message.
				m.d.sink.Begin(connectors.Part{Path: m.container, Kind: m.kind})
				m.d.sink.PartError(fmt.Errorf("e-mail: %w", err))
			}
			if m.stopped {
				return nil
			}
		}
	}
	content := transferDecoded(r, hdr.Get("Content-Transfer-Encoding"))
	name, attached := attachmentName(hdr)
	if !attached && (media == "text/plain" || media == "text/html") {
		return m.readText(ctx, content, media == "text/html")
	}
	m.members++
	if name == "" {
		name = fmt.Sprintf("part-%d%s", m.members, extensionOf(media))
	}
	member := joinPart(m.container, name)
	if skip, stop := m.d.skipMember(member, m.members); skip || stop {
		m.stopped = stop
		return nil
	}
	defer m.d.sink.Begin(connectors.Part{Path: m.container, Kind: m.kind}) // the text after it is the container's again
	if media == "message/rfc822" {
		return m.d.mail(ctx, &budgetReader{content, m.d}, member, m.depth+1)
	}
	return m.d.decode(ctx, &budgetReader{content, m.d}, name, member, m.depth+1)
}

// readText reads a text part of a body into the container, in whatever
// encoding decode would take it in; an HTML part as the text it shows.
func (m *mailParts) readText(ctx context.Context, content io.Reader, isHTML bool) error {
	if m.text == nil {
		m.text = bufio.NewReaderSize(nil, sniffLen)
	}
	br := m.text
	br.Reset(&budgetReader{content, m.d})
	head, err := br.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return err
	}
	tr, ok := textReader(br, head)
	if !ok {
		return nil // a body that is no text in any encoding: nothing to read
	}
	if isHTML {
		return m.d.htmlText(ctx, tr, m.line)
	}
	return m.d.text(ctx, tr, m.line)
}

// attachmentName is the file name a part is attached under, its last
// element only (a name is not a path to follow), and whether the part is
// an attachment: a file name, or a disposition that says so.
func attachmentName(hdr textproto.MIMEHeader) (string, bool) {
	disposition, dp, _ := mime.ParseMediaType(hdr.Get("Content-Disposition"))
	_, tp, _ := mime.ParseMediaType(hdr.Get("Content-Type"))
	for _, name := range []string{dp["filename"], tp["name"]} {
		if name = fileName(name); name != "" {
			return name, true
		}
	}
	return "", disposition == "attachment"
}

// fileName is the last element of the name an attachment is sent under,
// with '/' or '\\' between elements, or "" when it has none: a name is not
// a path to follow ("../../etc/kunder.csv" is kunder.csv).
func fileName(name string) string {
	if name = path.Base(strings.ReplaceAll(name, "\\", "/")); name == "." || name == "/" {
		return ""
	}
	return name
}

// extensionOf is the extension a part of type media is read by.
func extensionOf(media string) string {
	switch media {
	case "text/plain":
		return ".txt"
	case "text/html":
		return ".html"
	case "text/csv":
		return ".csv"
	case "message/rfc822":
		return ".eml"
	case "application/pdf":
		return ".pdf"
	case "application/json":
		return ".json"
	}
	return ""
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
	if len(p) == 0 {
		return 0, nil // else the loop below would never end
	}
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

// looksMessage reports whether head starts an e-mail: a header that mail
// begins with, a From header, and the blank line that ends the headers.
// Maildir keeps each message in a file without an extension.
func looksMessage(head []byte) bool {
	starts := false
	for _, h := range []string{"Return-Path: ", "Received: ", "Delivered-To: ", "From: ", "Date: ", "Message-ID: ", "MIME-Version: "} {
		starts = starts || bytes.HasPrefix(head, []byte(h))
	}
	return starts && (bytes.HasPrefix(head, []byte("From: ")) || bytes.Contains(head, []byte("\nFrom: "))) &&
		(bytes.Contains(head, []byte("\n\n")) || bytes.Contains(head, []byte("\r\n\r\n")))
}

// A mailbox (mbox: a Thunderbird folder, a mail archive) is messages one
// after another, each after a line that starts with "From " after a
// blank line (or at the start of the file). The mailbox is one container:
// the headers of all its messages are its fields, their text its text,
// and their attachments its members. A mailbox of 100,000 messages is one
// place that holds e-mail addresses, not 100,000. It is streamed, never
// read whole.

// looksMbox reports whether head starts a mailbox: a "From " line, and
// header lines in the message after it. Text that starts with "From " has
// no such lines.
func looksMbox(head []byte) bool {
	if !bytes.HasPrefix(head, []byte("From ")) {
		return false
	}
	for _, h := range []string{"\nFrom: ", "\nReturn-Path: ", "\nReceived: ", "\nDate: ", "\nMessage-ID: ", "\nDelivered-To: "} {
		if bytes.Contains(head, []byte(h)) {
			return true
		}
	}
	return false
}

func (d *decoder) mbox(ctx context.Context, r io.Reader, part string, depth int) error {
	if d.tooDeep(part, "mbox", depth) {
		return nil
	}
	br := bufio.NewReaderSize(r, 64<<10)
	d.sink.Begin(connectors.Part{Path: part, Kind: "mbox"})
	m := &mailParts{d: d, container: part, kind: "mbox", depth: depth}
	for line := 1; ; {
		if err := ctx.Err(); err != nil {
			return err
		}
		// The "From " line that starts the message.
		if err := skipLine(br); err != nil {
			if !errors.Is(err, io.EOF) {
				d.sink.Begin(connectors.Part{Path: part, Kind: "mbox"})
				d.sink.PartError(fmt.Errorf("mailbox: %w", err))
			}
			return nil
		}
		line++
		msg := &mboxMessage{br: br, lineStart: true}
		if err := d.message(ctx, &budgetReader{msg, d}, m, line); err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, msg); err != nil { // what the message's reader left
			d.sink.Begin(connectors.Part{Path: part, Kind: "mbox"})
			d.sink.PartError(fmt.Errorf("mailbox: %w", err))
			return nil
		}
		line += msg.lines
		if msg.last || m.stopped {
			return nil
		}
	}
}

// skipLine reads past the next line break.
func skipLine(br *bufio.Reader) error {
	for {
		line, err := br.ReadSlice('\n')
		if err == nil {
			return nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			if len(line) > 0 && errors.Is(err, io.EOF) {
				return nil // a last line without its break
			}
			return err
		}
	}
}

// mboxMessage reads one message of a mailbox: up to the next line that
// starts with "From " after a blank line, with the ">From " that escapes
// such a line in a body turned back into "From ".
type mboxMessage struct {
	br        *bufio.Reader
	pending   []byte // of the current line, not yet handed out
	lineStart bool   // the next byte starts a line
	blank     bool   // the line before was blank
	ended     bool   // the next message, or the end, is next
	last      bool   // the end of the mailbox is next
	lines     int    // whole lines read
}

func (m *mboxMessage) Read(p []byte) (int, error) {
	for len(m.pending) == 0 {
		if m.ended {
			return 0, io.EOF
		}
		if m.lineStart {
			if next, _ := m.br.Peek(5); m.blank && string(next) == "From " {
				m.ended = true
				return 0, io.EOF
			}
		}
		line, err := m.br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
		case errors.Is(err, io.EOF):
			m.ended, m.last = true, true
		case err != nil:
			return 0, err
		}
		if m.lineStart {
			m.blank = len(bytes.TrimRight(line, "\r\n")) == 0 && err == nil
			// mboxrd: one '>' less on a line of '>'s and "From ".
			if rest := bytes.TrimLeft(line, ">"); len(rest) < len(line) && bytes.HasPrefix(rest, []byte("From ")) {
				line = line[1:]
			}
		} else {
			m.blank = false
		}
		m.lineStart = err == nil
		if m.lineStart {
			m.lines++
		}
		m.pending = line
	}
	n := copy(p, m.pending)
	m.pending = m.pending[n:]
	return n, nil
}
