package rfsapi

import (
	"archive/zip"
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
)

// Template objects stand in for RFS's object storage. An RFS client puts a
// zip of template files in OBS and passes its URL as template_uri; a
// Formation client uploads the zip to the server
// (POST /formation/v1/{project_id}/template-objects) and passes the URL it
// gets back. Objects live in memory for objectTTL, like a pre-signed URL,
// and are the project's only.

const (
	objectsPath = extensionRoot + "/{project_id}/template-objects"
	// maxObjectBytes is RFS's limit on a zip template (spec §4: 1 MB
	// before unzipping; the file-set limits apply after, at use).
	maxObjectBytes = 1 << 20
	// maxObjects bounds the memory objects take: the oldest goes first.
	maxObjects = 256
	// objectTTL is how long an uploaded object can be used.
	objectTTL = time.Hour
)

type templateObject struct {
	project string
	zip     []byte
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

type uploadResult struct {
	TemplateURI string         `json:"template_uri"`
	ExpireTime  formation.Time `json:"expire_time"`
}

// uploadTemplate stores a zip of template files and answers the
// template_uri that names it.
func (h *Handler) uploadTemplate(c *call) (int, any, error) {
	const op = "rfsapi.UploadTemplate"
	if _, err := zip.NewReader(bytes.NewReader(c.body), int64(len(c.body))); err != nil {
		return 0, nil, formation.Errorf(formation.CodeInvalidParameter, op, "", "the body is not a zip of template files: %v", err)
	}
	now := h.cfg.Now()
	id := h.ids.New()
	obj := templateObject{project: c.project, zip: bytes.Clone(c.body), expires: now.Add(objectTTL)}
	h.objects.put(id, obj, now)
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: c.r.Host, Path: extensionRoot + "/" + c.project + "/template-objects/" + id + ".zip"}
	return http.StatusCreated, uploadResult{TemplateURI: u.String(), ExpireTime: formation.NewTime(obj.expires)}, nil
}

// resolveTemplate turns a template_uri naming an object uploaded to this
// server into the files it holds. Any other URI is left for the engine,
// which refuses it (no object storage here).
func (c *call) resolveTemplate(in *engine.TemplateInput) error {
	const op = "rfsapi"
	if in.TemplateURI == "" {
		return nil
	}
	u, err := url.Parse(in.TemplateURI)
	if err != nil {
		return nil
	}
	id, ok := strings.CutPrefix(u.Path, extensionRoot+"/"+c.project+"/template-objects/")
	if !ok {
		return nil
	}
	obj, found := c.h.objects.get(strings.TrimSuffix(id, ".zip"))
	if !found || obj.project != c.project || c.h.cfg.Now().After(obj.expires) {
		return formation.Errorf(formation.CodeInvalidParameter, op, "template_uri",
			"%s has expired or was never uploaded here; upload the zip again", in.TemplateURI)
	}
	zr, err := zip.NewReader(bytes.NewReader(obj.zip), int64(len(obj.zip)))
	if err != nil {
		return formation.Wrap(formation.CodeInvalidParameter, op, "template_uri", err)
	}
	in.TemplateURI, in.Files = "", zr
	return nil
}
