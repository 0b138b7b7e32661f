package formation

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits from spec §0 and §4.
const (
	MaxNameLength        = 128  // runes, for stack, execution plan and template names
	MaxDescriptionLength = 1024 // runes
	IDLength             = 36   // stack, plan and deployment ids are UUIDs
	MaxAgencies          = 10
)

// ValidateName checks a stack or execution plan name against the RFS rule: 1
// to 128 runes, the first a Han character or an ASCII letter, the rest Han
// characters, ASCII letters, digits, '_' or '-'. field names the parameter
// in the error ("stack_name", "execution_plan_name").
func ValidateName(op, field, name string) error {
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return Errorf(CodeTooShort, op, name, "%s must not be empty", field)
	case n > MaxNameLength:
		return Errorf(CodeTooLong, op, "", "%s is %d characters long, more than %d", field, n, MaxNameLength)
	case !utf8.ValidString(name):
		return Errorf(CodeInvalidName, op, "", "%s is not valid UTF-8", field)
	}
	for i, r := range name {
		letter := r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') || unicode.Is(unicode.Han, r)
		if letter || i > 0 && (r >= '0' && r <= '9' || r == '_' || r == '-') {
			continue
		}
		return Errorf(CodeInvalidName, op, name,
			"%s should start with Chinese or English characters, and only contain Chinese characters, English characters, numbers, underscores or hyphens (bad character %q at byte %d)",
			field, r, i)
	}
	return nil
}

// ValidateText checks free text a caller gives (a description, a template,
// a variable): it must be UTF-8, as RFS reads nothing else, and hold no NUL
// byte, which no command line or RFS request can carry and which C-string
// consumers behind a provider would cut the text at. field names it in the
// error.
func ValidateText(op, field, s string) error {
	if !utf8.ValidString(s) {
		return Errorf(CodeInvalidEncoding, op, "", "%s is not valid UTF-8", field)
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		return Errorf(CodeInvalidEncoding, op, "", "%s holds a NUL byte at byte %d", field, i)
	}
	return nil
}

// ValidateDescription checks a stack or plan description (0 to 1024 runes
// of text, as ValidateText).
func ValidateDescription(op, description string) error {
	if err := ValidateText(op, "description", description); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(description); n > MaxDescriptionLength {
		return Errorf(CodeTooLong, op, "", "description is %d characters long, more than %d", n, MaxDescriptionLength)
	}
	return nil
}

// ValidateID checks an optional id guard (stack_id, execution_plan_id,
// deployment_id): empty means "not given"; otherwise it must be a UUID in its
// 36-character text form.
func ValidateID(op, field, id string) error {
	if id == "" || isUUID(id) {
		return nil
	}
	return Errorf(CodeInvalidID, op, "", "%s %q is not a 36-character UUID", field, id)
}

func isUUID(s string) bool {
	if len(s) != IDLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// ValidateAgencies checks the agency rules (spec §3.5): at most 10, each with
// a provider name, provider names unique, and exactly one of agency_name and
// agency_urn.
func ValidateAgencies(op string, agencies []Agency) error {
	if len(agencies) > MaxAgencies {
		return Errorf(CodeInvalidAgency, op, "", "%d agencies given, at most %d are allowed", len(agencies), MaxAgencies)
	}
	seen := make(map[string]bool, len(agencies))
	for i, a := range agencies {
		where := fmt.Sprintf("agencies[%d]", i)
		switch {
		case a.ProviderName == "":
			return Errorf(CodeInvalidAgency, op, "", "%s: provider_name is required", where)
		case seen[a.ProviderName]:
			return Errorf(CodeInvalidAgency, op, "", "%s: provider_name %q appears more than once", where, a.ProviderName)
		case (a.AgencyName == "") == (a.AgencyURN == ""):
			return Errorf(CodeInvalidAgency, op, "", "%s: exactly one of agency_name and agency_urn must be given", where)
		}
		for _, f := range [...]struct{ name, text string }{{"provider_name", a.ProviderName}, {"agency_name", a.AgencyName}, {"agency_urn", a.AgencyURN}} {
			if err := ValidateText(op, where+"."+f.name, f.text); err != nil {
				return err
			}
		}
		seen[a.ProviderName] = true
	}
	return nil
}
