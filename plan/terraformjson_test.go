package plan

import (
	"encoding/json"
	"testing"
)

func TestTerraformModulesNest(t *testing.T) {
	t.Parallel()
	var root tfModule
	for _, r := range []struct{ module, addr string }{
		{"", "a.x"},
		{"module.net[0]", "module.net[0].a.x"},
		{"module.net[0].module.sub", "module.net[0].module.sub.a.x"},
		{"module.net[1]", "module.net[1].a.x"},
		{"module.net[0].module.sub", "module.net[0].module.sub.a.y"},
	} {
		root.add(r.module, tfResource{Address: r.addr})
	}
	b, _ := json.Marshal(root)
	want := `{"resources":[{"address":"a.x","mode":"","type":"","name":"","provider_name":"","schema_version":0,"values":null,"sensitive_values":null}],` +
		`"child_modules":[{"resources":[{"address":"module.net[0].a.x","mode":"","type":"","name":"","provider_name":"","schema_version":0,"values":null,"sensitive_values":null}],"address":"module.net[0]",` +
		`"child_modules":[{"resources":[{"address":"module.net[0].module.sub.a.x","mode":"","type":"","name":"","provider_name":"","schema_version":0,"values":null,"sensitive_values":null},{"address":"module.net[0].module.sub.a.y","mode":"","type":"","name":"","provider_name":"","schema_version":0,"values":null,"sensitive_values":null}],"address":"module.net[0].module.sub"}]},` +
		`{"resources":[{"address":"module.net[1].a.x","mode":"","type":"","name":"","provider_name":"","schema_version":0,"values":null,"sensitive_values":null}],"address":"module.net[1]"}]}`
	if string(b) != want {
		t.Errorf("modules:\n%s\nwant:\n%s", b, want)
	}
}
