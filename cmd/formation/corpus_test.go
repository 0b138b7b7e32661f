package main

import (
	"bufio"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/formation-engine/formation"
)

// The corpus: 200 real templates from the huaweicloud provider's own
// examples, in ../shared (never copied into the repository), previewed as a
// user would with the provider's real schema.

var corpusDeploy = flag.Bool("corpus-deploy", false, "also deploy every corpus template that previews and re-plan it (TestCorpus)")

// The corpus gives two figures, and they are different things:
//
//   - under RFS's limits (-limits rfs, the default): how many of the 200
//     templates preview as RFS would take them. The templates RFS itself
//     refuses (corpusRFSRefuses) count as failures here.
//   - as a user targeting Terraform would preview them: the same, but each
//     template RFS refuses is previewed with -limits none instead. This is
//     the figure held to at least 95 %.
//
// Each template RFS refuses must be refused under -limits rfs with
// RF.10011030 and the diagnostic listed, and must preview with -limits
// none (unless corpusFailures says why not).

// rfsRefusal is why RFS refuses a template: the summary of the error
// diagnostic, and what its detail names (a resource type, a block).
type rfsRefusal struct{ summary, names string }

// corpusRFSRefuses are the templates RFS itself refuses: provisioner
// blocks, or a resource type its constraints page forbids (template/limits.go).
var corpusRFSRefuses = map[string]rfsRefusal{
	"aom_alarm-rule_distribute-alarm":       {"Provisioners are not allowed", "provisioner blocks"},
	"dns_public-zone-cross-accounts":        {"Provisioners are not allowed", "provisioner blocks"},
	"obs_object-upload-with-source":         {"Provisioners are not allowed", "provisioner blocks"},
	"as_alarm-policy":                       {"Forbidden resource type", "huaweicloud_kps_keypair"},
	"as_scaling-configuration":              {"Forbidden resource type", "huaweicloud_kps_keypair"},
	"asm_basic":                             {"Forbidden resource type", "huaweicloud_asm_mesh"},
	"asm_multi-nodes":                       {"Forbidden resource type", "huaweicloud_asm_mesh"},
	"bcs_basic":                             {"Forbidden resource type", "huaweicloud_bcs_instance"},
	"bms_bms-instance":                      {"Forbidden resource type", "huaweicloud_kps_keypair"},
	"cce_kubenetes_namespace":               {"Forbidden resource type", "huaweicloud_kps_keypair"},
	"cce_kubenetes_pvc-with-new-obs-bucket": {"Forbidden resource type", "huaweicloud_kps_keypair"},
	"cce_node":                              {"Forbidden resource type", "huaweicloud_kps_keypair"},
	"cce_node-pool":                         {"Forbidden resource type", "huaweicloud_kps_keypair"},
	"dew_kps-keypair":                       {"Forbidden resource type", "huaweicloud_kps_keypair"},
	"dis_stream":                            {"Forbidden resource type", "huaweicloud_dis_stream"},
	"obs_object-upload-with-content":        {"Forbidden resource type", "huaweicloud_obs_bucket_object"},
	"oms_migrate-objects-by-group":          {"Forbidden resource type", "huaweicloud_obs_bucket_object"},
	"sdrs_drill":                            {"Forbidden resource type", "huaweicloud_sdrs_protection_group"},
	"sdrs_protection-group":                 {"Forbidden resource type", "huaweicloud_sdrs_protection_group"},
	"vod_media-asset-with-category":         {"Forbidden resource type", "huaweicloud_vod_media_category"},
	"vod_watermark-template-with-transcoding-template-group": {"Forbidden resource type", "huaweicloud_vod_watermark_template"},
}

// corpusFailures are the templates that do not preview, each with why:
// under -limits rfs, or under -limits none for those RFS refuses. A
// template listed here that previews is reported, not failed; a template
// that fails and is not listed fails the test.
var corpusFailures = map[string]string{
	"obs_object-upload-with-source": "besides its provisioners, calls abspath: file-system functions stay forbidden without RFS's limits too (Formation never reads the host's file system for a template)",
	"ces_alarm-template":            "with its default inputs (policies = []) the template gives no policies block, which the schema requires (min_items 1): Terraform refuses it too (hcldec's \"Insufficient policies blocks\")",
	"cce_addon-autoscaler":          "decodes a data source's spec as JSON: the real service returns a JSON document, the simulator generated text (pin one with -sim-data)",
	"lts_sql-alarm-rule":            "needs an LTS notification template named sql_template to exist; generated answers have other names (pin one with -sim-data)",
}

// corpusDeployFailures are the templates that preview but do not deploy to
// the simulator, or re-plan with changes, each with why.
var corpusDeployFailures = map[string]string{
	"cci_network":                   "indexes a computed map attribute (annotations) by a key the real service fills in; the simulator computes an empty map",
	"cpts_project-with-task":        numericIDs,
	"das_log-analysis":              numericIDs,
	"das_ops-management":            numericIDs,
	"vod_media-asset-with-category": numericIDs,
}

// numericIDs is why a template that passes one resource's id to another's
// number attribute does not deploy to the simulator.
const numericIDs = "passes a resource id to a number attribute: the real ids are numbers, the simulator's UUIDs"

// corpusDir is ../shared/corpus, or the test is skipped.
func corpusDir(t *testing.T) (templates, vars, schema string) {
	t.Helper()
	shared := filepath.Join("..", "..", "..", "shared")
	templates = filepath.Join(shared, "corpus", "templates")
	schema = filepath.Join(shared, "catalog", "huaweicloud.schema.json.gz")
	for _, p := range []string{templates, schema} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("the corpus is not here (%s): ../shared is absent", p)
		}
	}
	return templates, filepath.Join(shared, "corpus", "vars"), schema
}

// corpusArgs are the template flags of one corpus template: its directory,
// its terraform.tfvars and one -var per line of its vars file.
func corpusArgs(t *testing.T, templates, vars, name string) []string {
	dir := filepath.Join(templates, name)
	args := []string{"-t", dir}
	if _, err := os.Stat(filepath.Join(dir, "terraform.tfvars")); err == nil {
		args = append(args, "-var-file", filepath.Join(dir, "terraform.tfvars"))
	}
	f, err := os.Open(filepath.Join(vars, name+".vars"))
	if err != nil {
		return args
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			args = append(args, "-var", line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return args
}

// TestCorpus previews every corpus template with the huaweicloud schema
// loaded, and reports the two figures (see corpusRFSRefuses): under RFS's
// limits, and with the templates RFS refuses previewed under -limits none,
// of which at least 95 % must preview. Every failure must be listed with
// its reason. With -corpus-deploy, every template that previews is also
// deployed to the simulator (with the limits it previewed under) and
// re-planned: at least 95 % must re-plan to no changes.
func TestCorpus(t *testing.T) {
	templates, vars, schema := corpusDir(t)
	entries, err := os.ReadDir(templates)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	// limits is the -limits a template is previewed and deployed with when
	// counted as a user targeting Terraform would.
	limits := func(name string) string {
		if _, refused := corpusRFSRefuses[name]; refused {
			return "none"
		}
		return "rfs"
	}
	var (
		mu       sync.Mutex
		previewd []string // under limits(name)
		underRFS int      // of them, under -limits rfs
		failed   = map[string]string{}
	)
	t.Run("preview", func(t *testing.T) {
		for _, name := range names {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				targs := corpusArgs(t, templates, vars, name)
				if refusal, refused := corpusRFSRefuses[name]; refused {
					r := cli(t, append([]string{"preview", "-provider-schema", schema}, targs...)...)
					diags, line := splitDiagnostics(r.stderr)
					if r.code != exitRejected || !strings.HasPrefix(line, string(formation.CodeInvalidTemplate)+": ") ||
						!strings.Contains(diags, "Error: "+refusal.summary+"\n") || !strings.Contains(diags, refusal.names) {
						t.Errorf("under -limits rfs, want %s %q naming %s; got exit %d:\n%s", formation.CodeInvalidTemplate, refusal.summary, refusal.names, r.code, r.stderr)
					}
				}
				r := cli(t, append([]string{"preview", "-limits", limits(name), "-provider-schema", schema}, targs...)...)
				mu.Lock()
				defer mu.Unlock()
				if r.code != exitOK {
					_, failed[name] = splitDiagnostics(r.stderr)
					return
				}
				previewd = append(previewd, name)
				if limits(name) == "rfs" {
					underRFS++
				}
			})
		}
	})
	for _, name := range names {
		reason, listed := corpusFailures[name]
		got, fails := failed[name]
		switch {
		case fails && !listed:
			t.Errorf("%s does not preview (-limits %s), and is not listed: %s", name, limits(name), got)
		case !fails && listed:
			t.Logf("%s previews now; remove it from corpusFailures (%s)", name, reason)
		}
	}
	percent := func(n, of int) float64 { return 100 * float64(n) / float64(of) }
	t.Logf("corpus: under RFS's limits (-limits rfs) %d of %d templates preview (%.1f %%); the %d RFS refuses are refused as RFS refuses them",
		underRFS, len(names), percent(underRFS, len(names)), len(corpusRFSRefuses))
	t.Logf("corpus: as a user targeting Terraform would preview them (those %d under -limits none) %d of %d preview (%.1f %%)",
		len(corpusRFSRefuses), len(previewd), len(names), percent(len(previewd), len(names)))
	if rate := percent(len(previewd), len(names)); rate < 95 {
		t.Errorf("only %.1f %% of the templates preview (RFS's refusals under -limits none); want at least 95 %%", rate)
	}
	if !*corpusDeploy {
		return
	}
	slices.Sort(previewd)
	clean := 0
	deployFailed := map[string]string{}
	t.Run("deploy", func(t *testing.T) {
		for _, name := range previewd {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				db := filepath.Join(t.TempDir(), "f.db")
				targs := corpusArgs(t, templates, vars, name)
				global := []string{"-db", db, "-limits", limits(name), "-provider-schema", schema}
				why := ""
				if r := cli(t, slices.Concat([]string{"stack", "create", "s"}, global, targs)...); r.code != exitOK {
					why = "deploy: " + lastLine(r.stdout+r.stderr)
				} else if r := cli(t, slices.Concat([]string{"preview", "-stack", "s"}, global, targs)...); r.code != exitOK || !strings.HasPrefix(r.stdout, "No changes.") {
					why = "re-plan: " + lastLine(r.stdout+r.stderr)
				}
				mu.Lock()
				defer mu.Unlock()
				if why == "" {
					clean++
				} else {
					deployFailed[name] = why
				}
			})
		}
	})
	for _, name := range previewd {
		reason, listed := corpusDeployFailures[name]
		got, fails := deployFailed[name]
		switch {
		case fails && !listed:
			t.Errorf("%s: %s", name, got)
		case !fails && listed:
			t.Logf("%s deploys and re-plans clean now; remove it from corpusDeployFailures (%s)", name, reason)
		}
	}
	rate := percent(clean, len(previewd))
	t.Logf("corpus: %d of %d previewing templates deploy and re-plan to no changes (%.1f %%)", clean, len(previewd), rate)
	if rate < 95 {
		t.Errorf("only %.1f %% re-plan to no changes; want at least 95 %%", rate)
	}
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
