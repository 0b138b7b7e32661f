package rfsapi

import (
	"archive/zip"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
)

// templateURLLifetime is how long a GetStackTemplate download URL works, as
// RFS's pre-signed object storage URLs (spec §1.1).
const templateURLLifetime = 5 * time.Minute

// getStackTemplate answers 307 with a Location from which the template can
// be downloaded for five minutes without credentials, as RFS does with a
// pre-signed object storage URL. The URL is signed by the handler.
func (h *Handler) getStackTemplate(c *call) (int, any, error) {
	const op = "rfsapi.GetStackTemplate"
	for _, p := range []string{"access_control_source_ips", "access_control_source_vpc_ids"} {
		if n := len(c.query[p]); n > 8 {
			return 0, nil, formation.Errorf(formation.CodeInvalidParameter, op, "", "%s may be given at most 8 times, not %d", p, n)
		}
	}
	// The source addresses and VPCs the URL is for, as RFS's pre-signed
	// URL is: a request from one of the addresses, or from one of the
	// VPCs (Config.SourceVPCs says which addresses each VPC has), may
	// download; with neither, anyone holding the URL may.
	ips := c.query["access_control_source_ips"]
	for _, ip := range ips {
		if _, err := parseSource(ip); err != nil || len(ip) > 18 {
			return 0, nil, formation.Errorf(formation.CodeInvalidParameter, op, "", "access_control_source_ips %q is not an IPv4 address or CIDR", ip)
		}
	}
	vpcs := c.query["access_control_source_vpc_ids"]
	for _, id := range vpcs {
		if !validVPCID(id) {
			return 0, nil, formation.Errorf(formation.CodeInvalidParameter, op, "", "access_control_source_vpc_ids %q must be 1 to 36 lowercase letters, digits or '-'", id)
		}
	}
	ref := c.stack()
	meta, err := c.eng.GetStackMetadata(c.ctx, ref)
	if err != nil {
		return 0, nil, err
	}
	if _, err := c.eng.GetStackTemplate(c.ctx, ref); err != nil {
		return 0, nil, err
	}
	expires := strconv.FormatInt(h.cfg.Now().Add(templateURLLifetime).Unix(), 10)
	q := url.Values{"stack_id": {meta.ID}, "expires": {expires}}
	if len(ips) > 0 {
		q.Set("source_ips", strings.Join(ips, ","))
	}
	if len(vpcs) > 0 {
		q.Set("source_vpcs", strings.Join(vpcs, ","))
	}
	q.Set("signature", h.templateSignature(c.project, meta.Name, meta.ID, expires, q.Get("source_ips"), q.Get("source_vpcs")))
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	loc := url.URL{Scheme: scheme, Host: c.r.Host, Path: templatePath(c.project, meta.Name), RawQuery: q.Encode()}
	c.w.Header().Set("Location", loc.String())
	return http.StatusTemporaryRedirect, nil, nil
}

func templatePath(project, stack string) string {
	return "/formation/v1/" + project + "/stacks/" + stack + "/template"
}

func (h *Handler) templateSignature(project, stack, stackID, expires, sourceIPs, sourceVPCs string) string {
	m := hmac.New(sha256.New, h.secret)
	m.Write([]byte(strings.Join([]string{project, stack, stackID, expires, sourceIPs, sourceVPCs}, "\n")))
	return hex.EncodeToString(m.Sum(nil))
}

// ParseSourceVPC reads a VPC and its networks written ID=CIDR[,CIDR...]
// (formation serve -source-vpc), for Config.SourceVPCs.
func ParseSourceVPC(s string) (id string, nets []netip.Prefix, err error) {
	const op = "rfsapi.ParseSourceVPC"
	id, list, ok := strings.Cut(s, "=")
	if !ok || !validVPCID(id) || list == "" {
		return "", nil, formation.Errorf(formation.CodeInvalidParameter, op, s, "want ID=CIDR[,CIDR...], the VPC id 1 to 36 lowercase letters, digits or '-'")
	}
	for c := range strings.SplitSeq(list, ",") {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			if a, aerr := netip.ParseAddr(c); aerr == nil {
				p, err = a.Prefix(a.BitLen())
			}
		}
		if err != nil {
			return "", nil, formation.Errorf(formation.CodeInvalidParameter, op, s, "%q is not an address or CIDR", c)
		}
		nets = append(nets, p.Masked())
	}
	return id, nets, nil
}

// validVPCID checks an access_control_source_vpc_ids entry (spec §1.1):
// 1 to 36 lowercase letters, digits or '-'.
func validVPCID(id string) bool {
	if id == "" || len(id) > 36 {
		return false
	}
	for _, c := range id {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// parseSource reads an access_control_source_ips entry: an IPv4 address or
// CIDR.
func parseSource(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		s += "/32"
	}
	p, err := netip.ParsePrefix(s)
	if err == nil && !p.Addr().Is4() {
		err = fmt.Errorf("%s is not IPv4", s)
	}
	return p, err
}

// fromSources reports whether the request may use a URL made for the
// source addresses and VPCs given (comma-separated): it comes from one of
// the addresses, or from an address of one of the VPCs (Config.SourceVPCs).
// A URL made for neither is for any request.
func (h *Handler) fromSources(r *http.Request, sources, vpcs string) bool {
	if sources == "" && vpcs == "" {
		return true
	}
	addr, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	from := addr.Addr().Unmap()
	if sources != "" {
		for s := range strings.SplitSeq(sources, ",") {
			if p, err := parseSource(s); err == nil && p.Contains(from) {
				return true
			}
		}
	}
	if vpcs != "" {
		for id := range strings.SplitSeq(vpcs, ",") {
			for _, p := range h.cfg.SourceVPCs[id] {
				if p.Contains(from) {
					return true
				}
			}
		}
	}
	return false
}

// downloadTemplate serves the content a GetStackTemplate URL points at: the
// template body as it was given, or its files as a zip.
func (h *Handler) downloadTemplate(w http.ResponseWriter, r *http.Request) {
	const op = "rfsapi.DownloadTemplate"
	project, stack := r.PathValue("project_id"), r.PathValue("stack_name")
	q := r.URL.Query()
	stackID, expires := q.Get("stack_id"), q.Get("expires")
	unix, err := strconv.ParseInt(expires, 10, 64)
	want := h.templateSignature(project, stack, stackID, expires, q.Get("source_ips"), q.Get("source_vpcs"))
	if err != nil || !hmac.Equal([]byte(q.Get("signature")), []byte(want)) || h.cfg.Now().Unix() > unix {
		h.writeError(w, r, formation.Errorf(formation.CodeAuthFailed, op, "", "the template URL is not valid or has expired; ask GetStackTemplate for a new one"))
		return
	}
	if !h.fromSources(r, q.Get("source_ips"), q.Get("source_vpcs")) {
		msg := "the template URL is for other source addresses or VPCs"
		if q.Get("source_vpcs") != "" && len(h.cfg.SourceVPCs) == 0 {
			msg += "; this server knows the networks of no VPC (rfsapi.Config.SourceVPCs, formation serve -source-vpc)"
		}
		h.writeError(w, r, formation.Errorf(formation.CodeForbidden, op, "", "%s", msg))
		return
	}
	eng, err := h.cfg.Projects.Engine(r.Context(), project)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	tpl, err := eng.GetStackTemplate(r.Context(), engine.StackRef{Name: stack, ID: stackID})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if tpl.Files == nil {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write([]byte(tpl.TemplateBody))
		return
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(tpl.Files))
	for name := range tpl.Files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		f, err := zw.Create(name)
		if err == nil {
			_, err = f.Write([]byte(tpl.Files[name]))
		}
		if err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	if err := zw.Close(); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	_, _ = w.Write(buf.Bytes())
}
