package detectors

import (
	"net/netip"
)

// Variants of ip_address.
const (
	VariantIPv4 = "v4"
	VariantIPv6 = "v6"
)

var documentation = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// ipPublic reports whether an address can point at a person's device:
// not private, loopback, link-local, multicast, unspecified or a
// documentation range.
func ipPublic(a netip.Addr) bool {
	if a.Is4() {
		return ipv4Public(a.As4())
	}
	return netipPublic(a)
}

// netipPublic is ipPublic by net/netip's ranges.
func netipPublic(a netip.Addr) bool {
	if a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range documentation {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// ipv4Public is netipPublic for an IPv4 address, on its bytes: web-server
// logs hold millions of them.
func ipv4Public(o [4]byte) bool {
	switch o[0] {
	case 0:
		return o != [4]byte{} // only 0.0.0.0 is unspecified
	case 10, 127:
		return false // private, loopback
	case 169:
		return o[1] != 254 // link-local
	case 172:
		return o[1]&0xf0 != 16 // private 172.16.0.0/12
	case 192:
		return o[1] != 168 && !(o[1] == 0 && o[2] == 2) // private; documentation
	case 198:
		return !(o[1] == 51 && o[2] == 100) // documentation
	case 203:
		return !(o[1] == 0 && o[2] == 113) // documentation
	}
	return o[0] < 224 || o[0] > 239 // multicast
}

// IPAddress finds IPv4 and IPv6 addresses (ip_address). Public addresses
// are personal data when they can be linked to a person (CJEU C-582/14
// Breyer); private and documentation ranges are reported with low
// confidence.
type IPAddress struct{}

// Info implements Detector.
func (IPAddress) Info() Info {
	return Info{
		ID: CatIPAddress, Categories: []string{CatIPAddress},
		Variants:    []string{VariantIPv4, VariantIPv6},
		Description: "IPv4 dotted quads (0-255, no leading zeros, not version strings) and IPv6; private ranges low",
		Personal:    true,
	}
}

// WantsRun implements the Engine's run filter. A dotted quad: four groups
// joined by dots, or more that a space may cut. Digits of an IPv6 address
// ("2001:0db8"): colons, with a hex digit or a colon next to the run, or
// the seven colons of a full address; "08:00:00.000" is a time.
func (IPAddress) WantsRun(r RunShape) bool {
	if r.Digits < 4 {
		return false
	}
	v4 := r.Groups >= 4 && (r.Space || r.Groups == 4 && !r.Colon && !r.Dash && r.Prev != PrevWord && r.Prev != PrevHex)
	v6 := r.Colon && (r.Groups >= 8 || r.Prev == PrevHex || r.Prev == PrevColon || r.Next == NextHex || r.Next == NextColon)
	return v4 || v6
}

// Triggers implements Detector.
func (IPAddress) Triggers() Trigger { return OnNumber | OnColon }

// Inspect implements Detector.
func (IPAddress) Inspect(text []byte, c *Candidate, ctx *Context) {
	if c.Trigger == OnColon {
		inspectIPv6(text, c, ctx)
		return
	}
	g := c.Groups
	// "…db8:0000:0000:0001": colons between digits joined this run, so no
	// colon trigger saw it; look for IPv6 from its first colon.
	// Only where the digits are part of a longer hex run, or have the
	// seven colons of a full address: "10:20:30" is a time.
	first, colons := -1, 0
	for k := 0; k+1 < len(g); k++ {
		if text[g[k].End] == ':' {
			colons++
			if first < 0 {
				first = g[k].End
			}
		}
	}
	if first >= 0 && (colons >= 7 || hexColonAt(text, c.Start-1) || hexColonAt(text, c.End)) {
		inspectIPv6(text, &Candidate{Trigger: OnColon, Start: first, End: first + 1}, ctx)
	}
	if len(g) < 4 {
		return
	}
	for i := 0; i+4 <= len(g); i++ {
		if i > 0 && !spaceBetween(text, g[i-1], g[i]) {
			continue
		}
		if i+4 < len(g) && !spaceBetween(text, g[i+3], g[i+4]) {
			continue // a fifth dotted part: a version or an OID
		}
		var oct [4]byte
		ok := true
		for k := 0; k < 4 && ok; k++ {
			grp := g[i+k]
			if k < 3 && text[grp.End] != '.' {
				ok = false
				break
			}
			n := grp.Len()
			if n > 3 || (n > 1 && text[grp.Start] == '0') {
				ok = false
				break
			}
			v := 0
			for _, ch := range text[grp.Start:grp.End] {
				v = v*10 + int(ch-'0')
			}
			if v > 255 {
				ok = false
			}
			oct[k] = byte(v)
		}
		start, end := g[i].Start, g[i+3].End
		if !ok || !Bounded(text, start, end) || versionLike(text, start, end) {
			continue
		}
		a := netip.AddrFrom4(oct)
		if oct[0] == 0 || oct == [4]byte{255, 255, 255, 255} || netmask(oct) {
			continue
		}
		emitIP(text, a, start, end, ctx)
	}
}

func hexColonAt(text []byte, i int) bool {
	return i >= 0 && i < len(text) && (isHex(text[i]) || text[i] == ':')
}

// versionLike rejects dotted quads that are versions: "v4.12.0.1",
// "version 4.12.0.1", "1.2.3.4-beta", "Chrome/120.0.0.0".
func versionLike(text []byte, start, end int) bool {
	if end+1 < len(text) && text[end] == '-' && isLetter(text[end+1]) {
		return true
	}
	if start > 1 && text[start-1] == '/' && isLetter(text[start-2]) {
		return true
	}
	if start == 0 || text[start-1] != ' ' {
		return false // every word below ends in a space
	}
	lo := max(start-12, 0)
	before := text[lo:start]
	for _, w := range []string{"version ", "versjon ", "version: ", "ver ", "v. ", "build ", "release "} {
		if len(before) >= len(w) && equalFold(before[len(before)-len(w):], w) {
			return true
		}
	}
	return false
}

// netmask recognises subnet masks such as 255.255.255.0.
func netmask(o [4]byte) bool {
	if o[0] != 255 {
		return false
	}
	v := uint32(o[0])<<24 | uint32(o[1])<<16 | uint32(o[2])<<8 | uint32(o[3])
	inv := ^v
	return inv&(inv+1) == 0
}

func emitIP(text []byte, a netip.Addr, start, end int, ctx *Context) {
	m := Match{Category: CatIPAddress, Variant: VariantIPv4, Start: start, End: end, Reason: "public address"}
	if a.Is6() {
		m.Variant = VariantIPv6
	}
	m.Context = ctx.Near(CatIPAddress, start, end)
	switch {
	case !ipPublic(a):
		m.Confidence, m.Reason = Low, "private, loopback or documentation range"
	case m.Context:
		m.Confidence = High
	default:
		m.Confidence = Medium
	}
	var buf [48]byte
	m.Value = ctx.Keep(a.AppendTo(buf[:0])) // "::ffff:84.210.1.3" is 84.210.1.3
	ctx.Emit(&m)
}

// inspectIPv6 reads the run of hex digits, colons and dots around the colon
// and parses it when it has the shape of an IPv6 address.
func inspectIPv6(text []byte, c *Candidate, ctx *Context) {
	// The run may have started before this colon: a digit run took its
	// first groups ("2a02:2121:1:2::1").
	start := c.Start
	for start > 0 && (isHex(text[start-1]) || text[start-1] == ':') && c.Start-start < 45 {
		start--
	}
	if start > 0 && (isWordByte(text[start-1]) || text[start-1] == ':' || text[start-1] == '.') {
		return
	}
	if start < ctx.v6End {
		return // this run was inspected from an earlier trigger
	}
	end := start
	colons, double := 0, false
	for end < len(text) && end-start <= 45 {
		ch := text[end]
		switch {
		case ch == ':':
			colons++
			if end > 0 && text[end-1] == ':' {
				double = true
			}
		case isHex(ch) || ch == '.':
		default:
			goto done
		}
		end++
	}
done:
	for end > start && (text[end-1] == '.' || (text[end-1] == ':' && !(end >= 2 && text[end-2] == ':'))) {
		end-- // sentence punctuation after the address
	}
	ctx.v6End = end
	if colons < 2 || (colons < 7 && !double) || end-start < 3 || end-start > 45 {
		return
	}
	if end < len(text) && isWordByte(text[end]) {
		return
	}
	a, err := netip.ParseAddr(string(text[start:end]))
	if err != nil || !a.Is6() || a.IsUnspecified() {
		return
	}
	// An IPv4 address written as IPv6 ("::ffff:84.210.1.3"), as Node.js
	// servers log their clients, is the IPv4 address.
	emitIP(text, a.Unmap(), start, end, ctx)
	ctx.v6Found = end
}
