package template_test

import (
	"archive/zip"
	"bytes"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
)

func TestParseFS_HCLAndJSONTogether(t *testing.T) {
	fsys := fstest.MapFS{
		"variables.tf":        {Data: []byte("variable \"n\" {\n  default = 2\n}\n")},
		"main.tf.json":        {Data: []byte(`{"resource": {"huaweicloud_vpc": {"vpc": {"count": "${var.n}", "name": "v${count.index}"}}}}`)},
		"outputs.tf":          {Data: []byte("output \"ids\" {\n  value = huaweicloud_vpc.vpc[*].id\n}\n")},
		"README.md":           {Data: []byte("# ignored")},
		"modules/m/main.tf":   {Data: []byte("this is not read: no module calls it")},
		"terraform.tfvars.bk": {Data: []byte("ignored")},
	}
	tpl, err := template.ParseFS(fsys, template.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := mustExpand(t, tpl, template.Input{})
	if got, want := addrs(cfg), []string{"huaweicloud_vpc.vpc[0]", "huaweicloud_vpc.vpc[1]"}; !reflect.DeepEqual(got, want) {
		t.Errorf("instances = %q", got)
	}
	if len(tpl.Files()) != 3 {
		t.Errorf("files = %d", len(tpl.Files()))
	}
}

func TestParseFS_Zip(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string]string{
		"main.tf":      "resource \"a_b\" \"x\" {\n  v = var.v\n}\n",
		"vars.tf.json": `{"variable": {"v": {"default": "z"}}}`,
	} {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	zw.Close()
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := template.ParseFS(zr, template.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := mustExpand(t, tpl, template.Input{})
	if v := evalOne(t, cfg, "a_b.x", nil); v.GetAttr("v").AsString() != "z" {
		t.Errorf("v = %#v", v)
	}
}

func TestParseFS_Errors(t *testing.T) {
	big := strings.Repeat("#", 600<<10) + "\n"
	many := fstest.MapFS{}
	for i := 0; i < 101; i++ {
		many["f"+itoa(i)+".tf"] = &fstest.MapFile{Data: []byte("\n")}
	}
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		code    formation.Code
		summary string
		file    string
		line    int
		col     int
	}{
		{"no files", fstest.MapFS{"a.txt": {}}, formation.CodeInvalidTemplate, "No template files", "", 0, 0},
		{"tfvars", fstest.MapFS{"main.tf": {}, "terraform.tfvars": {}}, formation.CodeInvalidTemplate, "Variable files are not accepted", "terraform.tfvars", 1, 1},
		{"error in the second file", fstest.MapFS{"a.tf": {Data: []byte("\n")}, "b.tf": {Data: []byte("\nresource \"a_b\" {}\n")}}, formation.CodeInvalidTemplate, "Missing name for resource", "b.tf", 2, 16},
		{"duplicate across files", fstest.MapFS{"a.tf": {Data: []byte("variable \"v\" {}\n")}, "b.tf.json": {Data: []byte(`{"variable": {"v": {}}}`)}}, formation.CodeInvalidTemplate, "Duplicate variable", "b.tf.json", 1, 20},
		{"too many files", many, formation.CodeTooLong, "", "", 0, 0},
		{"too large", fstest.MapFS{"a.tf": {Data: []byte(big)}, "b.tf": {Data: []byte(big)}}, formation.CodeTooLong, "", "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := template.ParseFS(tt.fsys, template.Options{})
			if tt.summary == "" {
				if formation.CodeOf(err) != tt.code {
					t.Fatalf("err = %v, want %s", err, tt.code)
				}
				return
			}
			wantDiag(t, err, tt.code, tt.summary, "", tt.file, tt.line, tt.col)
		})
	}
}
