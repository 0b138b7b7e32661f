package template

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Limits bounds what a template may ask for. DefaultLimits returns the
// values RFS enforces; a field that is zero or negative lifts that limit
// (benchmarks and offline tools raise MaxCount to expand 100,000 instances).
type Limits struct {
	MaxCount          int   // largest count of one resource or data block (RFS: 1024)
	MaxForEach        int   // most for_each keys of one block (RFS: 1024)
	MaxTemplateBody   int   // characters of a template body given to Parse (RFS: 51200)
	MaxVarsBody       int   // characters of Input.VarsBody (RFS: 51200)
	MaxVarsStructure  int   // items of Input.VarsStructure (RFS: 100)
	MaxVarsURIContent int64 // bytes of Input.VarsURIContent, the file a vars_uri names (RFS publishes no figure: 1 MiB, as a template_uri file)
	MaxFiles          int   // files in a file set given to ParseFS (RFS zip: 100)
	MaxFileSetBytes   int64 // total bytes of a file set given to ParseFS (RFS zip: 1 MiB)
	MaxFileNameBytes  int   // bytes of one file or directory name in a file set (RFS zip: 255)
	MaxPathBytes      int   // bytes of a path in a file set, from its root (RFS zip: 2048)
	MaxModuleCalls    int   // module blocks in the template's files, each once however often its module is called (RFS: 50)
	MaxModuleDepth    int   // how deep modules may be nested: the root's calls are 1 deep (RFS: 3)
	// ForbiddenResourceTypes are managed resource types a template may not
	// declare; a name ending in "*" forbids every type it prefixes (RFS:
	// huaweicloud_compute_keypair, huaweicloud_vod_*, …). nil forbids none.
	ForbiddenResourceTypes []string
	// NoProvisioners refuses provisioner and connection blocks, as RFS
	// does. Without it they are checked as Terraform checks them, and
	// never run.
	NoProvisioners bool

	// The budget of one evaluation (Expand, Evaluate, Outputs, Providers):
	// what for expressions, templates and functions may build before the
	// evaluation is refused with CodeTooLong. RFS documents no figure;
	// these keep one evaluation within about a second and 256 MB.
	MaxElements    int64 // iterations and collection values built (default 250,000)
	MaxStringBytes int64 // bytes of strings built (default 32 MiB)
}

// rfsForbiddenResourceTypes are the huaweicloud resource types RFS refuses
// in a template, exactly as its "template constraints and limitations" page
// lists them (模板约束与限制, support.huaweicloud.com/tr-aos/rf_05_0028.html,
// the page that also gives 50 modules and count ≤ 1024; spec §4). The
// international English page (support.huaweicloud.com/intl/en-us/tr-aos/
// rf_05_0028.html) is older: 25 modules, and only the first ten entries,
// none of the wildcards.
var rfsForbiddenResourceTypes = []string{
	"huaweicloud_vod_watermark_template",
	"huaweicloud_compute_keypair",
	"huaweicloud_identity_access_key",
	"huaweicloud_images_image_v2",
	"huaweicloud_kps_keypair",
	"huaweicloud_obs_bucket_object",
	"huaweicloud_iotda_batchtask",
	"huaweicloud_cce_chart",
	"huaweicloud_iotda_batchtask_file",
	"huaweicloud_cse_microservice",
	"huaweicloud_cdm_*",
	"huaweicloud_iec_*",
	"huaweicloud_meeting_*",
	"huaweicloud_vod_*",
	"huaweicloud_ges_*",
	"huaweicloud_ucs_*",
	"huaweicloud_cloudtable_*",
	"huaweicloud_bcs_*",
	"huaweicloud_dis_*",
	"huaweicloud_sdrs_*",
	"huaweicloud_codearts_deploy_*",
	"huaweicloud_asm_*",
	"huaweicloud_cph_*",
}

// DefaultLimits returns the limits RFS enforces (spec §1.1 and §4).
func DefaultLimits() Limits {
	return Limits{
		MaxCount:          1024,
		MaxForEach:        1024,
		MaxTemplateBody:   51200,
		MaxVarsBody:       51200,
		MaxVarsStructure:  100,
		MaxVarsURIContent: 1 << 20,
		MaxFiles:          100,
		MaxFileSetBytes:   1 << 20,
		MaxFileNameBytes:  255,
		MaxPathBytes:      2048,
		MaxModuleCalls:    50,
		MaxModuleDepth:    3,
		MaxElements:       250_000,
		MaxStringBytes:    32 << 20,

		ForbiddenResourceTypes: slices.Clone(rfsForbiddenResourceTypes),
		NoProvisioners:         true,
	}
}

// RaisedLimits are the limits of a trusted template (the command line's
// -limits none): no RFS limit on sizes, counts or resource types, and a
// budget ten times the default. Nesting stays limited (MaxNesting):
// nothing lifts it.
func RaisedLimits() Limits {
	d := DefaultLimits()
	return Limits{MaxElements: 10 * d.MaxElements, MaxStringBytes: 10 * d.MaxStringBytes}
}

// Options configures Parse and ParseFS. The zero value is ready to use: RFS
// limits and the real clock.
type Options struct {
	// Limits replaces DefaultLimits when non-nil. Within it, a field that is
	// zero or negative means "unlimited"; so &Limits{} lifts every limit.
	Limits *Limits
	// Now is the clock behind the timestamp() function; nil means time.Now.
	// Simulations pass their virtual clock.
	Now func() time.Time
}

func (o Options) limits() Limits {
	if o.Limits != nil {
		return *o.Limits
	}
	return DefaultLimits()
}

// exceeds reports whether n is over the limit max, where max ≤ 0 is no limit.
func exceeds[T int | int64](n, max T) bool { return max > 0 && n > max }

// forbids reports whether the limits forbid the managed resource type typ.
func (l Limits) forbids(typ string) bool {
	return slices.ContainsFunc(l.ForbiddenResourceTypes, func(f string) bool {
		if prefix, ok := strings.CutSuffix(f, "*"); ok {
			return strings.HasPrefix(typ, prefix)
		}
		return typ == f
	})
}

// forbiddenResources reports the module's managed resources whose type the
// limits forbid, in address order.
func (m *module) forbiddenResources(l Limits) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, n := range m.resources {
		if n.kind == kindResource && l.forbids(n.res.typ) {
			diags = append(diags, errorDiag("Forbidden resource type",
				fmt.Sprintf("RFS does not allow resources of type %s in a template (%s).", n.res.typ, n.addr), rangePtr(n.rng)))
		}
	}
	sort.Slice(diags, func(i, j int) bool {
		a, b := diags[i].Subject, diags[j].Subject
		return a.Filename < b.Filename || a.Filename == b.Filename && a.Start.Byte < b.Start.Byte
	})
	return diags
}
