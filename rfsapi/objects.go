package rfsapi

import (
	"archive/zip"
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing/fstest"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
)

// Template objects stand in for RFS's object storage. An RFS client puts a
// template (a zip of template files, or one .tf or .tf.json file) or a
// .tfvars file in OBS and passes its URL as template_uri or vars_uri; a
// Formation client uploads the file to the server
// (POST /formation/v1/{project_id}/template-objects?name=FILE) and passes
// the URL it gets back. Objects live in memory for objectTTL, like a
// pre-signed URL, and are the project's only.

const (
	objectsPath = extensionRoot + "/{project_id}/template-objects"
	// maxObjectBytes is RFS's limit on a template_uri file (spec §4: a
	// zip is 1 MB before unzipping; the file-set limits apply after, at
	// use). A vars_uri file is held to the template limits at use
	// (template.Limits.MaxVarsURIContent, RF.10011014).
	maxObjectBytes = 1 << 20
	// maxObjects bounds the memory objects take: the oldest goes first.
	maxObjects = 256
	// objectTTL is how long an uploaded object can be used.
	objectTTL = time.Hour
	// defaultObjectName is the name of an object uploaded without one: a
	// zip of template files, as the command line uploads.
	defaultObjectName = "template.zip"
)

// objectKind is what an object holds, told by its name as RFS tells a
// template_uri file by its suffix.
type objectKind int

const (
	objectZip      objectKind = iota // .zip: template files
	objectTemplate                   // .tf or .tf.json: one template file
	objectVars                       // .tfvars or .tfvars.json: variables, for vars_uri
)

// kindOf tells an object's kind by its name; ok is false for a name no
// URI may name.
func kindOf(name string) (kind objectKind, ok bool) {
	switch {
	case strings.HasSuffix(name, ".zip"):
		return objectZip, true
	case strings.HasSuffix(name, ".tf"), strings.HasSuffix(name, ".tf.json"):
		return objectTemplate, true
	case strings.HasSuffix(name, ".tfvars"), strings.HasSuffix(name, ".tfvars.json"):
		return objectVars, true
	}
	return 0, false
}

type templateObject struct {
	project string
	name    string
	kind    objectKind
	data    []byte
	expires time.Time
}

// templateObjects are the uploaded objects, by id.
type templateObjects struct {
	mu    sync.Mutex
	byID  map[string]templateObject
	order []string // ids, oldest first
}

func (o *templateObjects) put(id string, obj templateObject, now time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.byID == nil {
		o.byID = map[string]templateObject{}
	}
	// Expired objects go, and the oldest beyond maxObjects.
	for len(o.order) > 0 && (len(o.order) >= maxObjects || now.After(o.byID[o.order[0]].expires)) {
		delete(o.byID, o.order[0])
		o.order = o.order[1:]
	}
	o.byID[id] = obj
	o.order = append(o.order, id)
}

func (o *templateObjects) get(id string) (templateObject, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	obj, ok := o.byID[id]
	return obj, ok
}

// uploadResult names the uploaded object: as template_uri for a template,
// as vars_uri for a .tfvars file.
type uploadResult struct {
	TemplateURI string         `json:"template_uri,omitempty"`
	VarsURI     string         `json:"vars_uri,omitempty"`
	ExpireTime  formation.Time `json:"expire_time"`
}

// uploadTemplate stores a template or variables file and answers the URI
// that names it. The name query parameter names the file (default
// template.zip); its suffix says what it holds.
func (h *Handler) uploadTemplate(c *call) (int, any, error) {
	const op = "rfsapi.UploadTemplate"
	name := c.query.Get("name")
	if name == "" {
		name = defaultObjectName
	}
	kind, ok := kindOf(name)
	if !ok || len(name) > 255 || strings.ContainsAny(name, "/\\") {
		return 0, nil, formation.Errorf(formation.CodeInvalidParameter, op, name,
			"name %q must be a file name (at most 255 bytes) ending .zip, .tf or .tf.json (a template) or .tfvars or .tfvars.json (variables)", name)
	}
	if kind == objectZip {
		if _, err := zip.NewReader(bytes.NewReader(c.body), int64(len(c.body))); err != nil {
			return 0, nil, formation.Errorf(formation.CodeInvalidParameter, op, "", "the body is not a zip of template files: %v", err)
		}
	}
	now := h.cfg.Now()
	id := h.ids.New()
	obj := templateObject{project: c.project, name: name, kind: kind, data: bytes.Clone(c.body), expires: now.Add(objectTTL)}
	h.objects.put(id, obj, now)
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: c.r.Host, Path: extensionRoot + "/" + c.project + "/template-objects/" + id + "/" + name}
	res := uploadResult{ExpireTime: formation.NewTime(obj.expires)}
	if kind == objectVars {
		res.VarsURI = u.String()
	} else {
		res.TemplateURI = u.String()
	}
	return http.StatusCreated, res, nil
}

// resolveTemplate turns a template_uri and a vars_uri naming objects
// uploaded to this server into what they hold: the template's files, and
// the variables file's content (VarsURIContent), which the engine checks
// as it checks vars_body. Any other URI is left for the engine, which
// refuses it (no object storage here).
func (c *call) resolveTemplate(in *engine.TemplateInput) error {
	obj, err := c.object("template_uri", in.TemplateURI, objectZip, objectTemplate)
	switch {
	case err != nil:
		return err
	case obj != nil && obj.kind == objectZip:
		zr, err := zip.NewReader(bytes.NewReader(obj.data), int64(len(obj.data)))
		if err != nil {
			return formation.Wrap(formation.CodeInvalidParameter, "rfsapi", "template_uri", err)
		}
		in.TemplateURI, in.Files = "", zr
	case obj != nil:
		in.TemplateURI, in.Files = "", fstest.MapFS{obj.name: {Data: obj.data}}
	}
	return c.resolveVars(in)
}

// resolveVars reads a vars_uri naming an object uploaded to this server
// into VarsURIContent.
func (c *call) resolveVars(in *engine.TemplateInput) error {
	obj, err := c.object("vars_uri", in.VarsURI, objectVars)
	if err != nil || obj == nil {
		return err
	}
	in.VarsURI, in.VarsURIContent = "", string(obj.data)
	return nil
}

// object finds the object uri names, one of the kinds the field takes. It
// is nil, without an error, for a URI that is not this server's object
// URL for the project; a URL of this server that names no object, or one
// expired or of another kind, is refused, as is any URI longer than RFS
// allows.
func (c *call) object(field, uri string, kinds ...objectKind) (*templateObject, error) {
	const op = "rfsapi"
	switch {
	case uri == "":
		return nil, nil
	case len(uri) > engine.MaxURILength:
		return nil, formation.Errorf(formation.CodeTooLong, op, field, "%s may be at most %d characters", field, engine.MaxURILength)
	}
	u, err := url.Parse(uri)
	if err != nil {
		return nil, nil
	}
	rest, ok := strings.CutPrefix(u.Path, extensionRoot+"/"+c.project+"/template-objects/")
	if !ok {
		return nil, nil
	}
	id, _, _ := strings.Cut(rest, "/")
	obj, found := c.h.objects.get(id)
	if !found || obj.project != c.project || c.h.cfg.Now().After(obj.expires) {
		return nil, formation.Errorf(formation.CodeInvalidParameter, op, field,
			"%s %s has expired or was never uploaded here; upload the file again", field, uri)
	}
	if !slices.Contains(kinds, obj.kind) {
		want := "a template (.zip, .tf or .tf.json)"
		if field == "vars_uri" {
			want = "a variables file (.tfvars or .tfvars.json)"
		}
		return nil, formation.Errorf(formation.CodeInvalidParameter, op, field, "%s names %s, not %s", field, obj.name, want)
	}
	return &obj, nil
}
