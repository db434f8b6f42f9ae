package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warmline/warmline/backend/csvimport"
	"github.com/warmline/warmline/backend/httpapi"
	"github.com/warmline/warmline/backend/warmline"
)

// The OpenAPI document is checked here with encoding/json rather than an
// OpenAPI library: the checks below are the parts of the specification the
// document uses, plus what a generic validator cannot know (that it
// describes exactly routes(), the roles, and the Go types' JSON).

// openAPIDoc is the parsed openapi.json, loaded once.
var openAPIDoc = sync.OnceValues(func() (map[string]any, error) {
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("openapi.json is not JSON: %w", err)
	}
	return doc, nil
})

func loadDoc(t *testing.T) map[string]any {
	t.Helper()
	doc, err := openAPIDoc()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// dbFreeServer is the API without a database: enough for the routes list
// and for requests that never reach a store.
func dbFreeServer() *httpapi.Server {
	return httpapi.NewServer(nil, httpapi.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

var echoParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// docPath turns an Echo route path into the document's path key.
func docPath(route string) string {
	return echoParam.ReplaceAllString(strings.TrimPrefix(route, "/api/v1"), "{$1}")
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operations lists the document's operations as "METHOD /path".
func operations(doc map[string]any) map[string]map[string]any {
	ops := map[string]map[string]any{}
	for p, item := range obj(doc["paths"]) {
		for m, op := range obj(item) {
			if slices.Contains(httpMethods, m) {
				ops[strings.ToUpper(m)+" "+p] = obj(op)
			}
		}
	}
	return ops
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// resolve follows a local $ref ("#/components/schemas/Client") to its target.
func resolve(doc map[string]any, ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("$ref %q is not local", ref)
	}
	var cur any = doc
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q: %q is not inside an object", ref, part)
		}
		if cur, ok = m[part]; !ok {
			return nil, fmt.Errorf("$ref %q does not resolve: no %q", ref, part)
		}
	}
	return cur, nil
}

// deref returns the object v refers to when it is a {"$ref": ...}, else v.
func deref(t *testing.T, doc map[string]any, v any) map[string]any {
	t.Helper()
	for i := 0; i < 10; i++ {
		ref := str(obj(v)["$ref"])
		if ref == "" {
			return obj(v)
		}
		var err error
		if v, err = resolve(doc, ref); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("$ref chain too long at %v", v)
	return nil
}

func TestOpenAPIDescribesExactlyTheRoutes(t *testing.T) {
	doc := loadDoc(t)
	ops := operations(doc)
	served := map[string]bool{}
	for _, r := range dbFreeServer().Routes() {
		key := r.Method + " " + docPath(r.Path)
		served[key] = true
		if _, ok := ops[key]; !ok {
			t.Errorf("route %s %s is not in openapi.json (as %s)", r.Method, r.Path, key)
		}
	}
	for key := range ops {
		if !served[key] {
			t.Errorf("openapi.json describes %s, which no route serves", key)
		}
	}
}

// roleSentence is how every operation's description states its least role.
var roleSentence = map[warmline.Role]string{
	"":                      "Role: anyone (no session needed).",
	warmline.RoleAgent:      "Role: agent or higher",
	warmline.RoleSupervisor: "Role: supervisor or higher.",
	warmline.RoleAdmin:      "Role: admin.",
}

func TestOpenAPIStatesEachRoutesRoleAndErrors(t *testing.T) {
	doc := loadDoc(t)
	ops := operations(doc)
	for _, r := range dbFreeServer().Routes() {
		key := r.Method + " " + docPath(r.Path)
		op, ok := ops[key]
		if !ok {
			continue // reported by TestOpenAPIDescribesExactlyTheRoutes
		}
		if want := roleSentence[r.Role]; !strings.HasPrefix(str(op["description"]), want) {
			t.Errorf("%s: description should start with %q (the route's role), got %q", key, want, str(op["description"]))
		}
		sec, overridden := op["security"]
		if public := r.Role == ""; public != (overridden && len(list(sec)) == 0) {
			t.Errorf("%s: public=%v but security is %v (public routes need \"security\": [], others the session)", key, public, sec)
		}
		responses := obj(op["responses"])
		need := []string{}
		if r.Role != "" {
			need = append(need, "401", "500")
		}
		if r.Role.Rank() > warmline.RoleAgent.Rank() || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			need = append(need, "403") // the role check, or the cross-origin check
		}
		if strings.Contains(r.Path, ":id") {
			need = append(need, "400", "404")
		}
		if body := obj(op["requestBody"]); body != nil {
			need = append(need, "400", "413")
		}
		if len(obj(op["parameters"])) > 0 || len(list(op["parameters"])) > 0 {
			need = append(need, "400") // a query parameter can be wrong
		}
		for _, status := range need {
			if _, ok := responses[status]; !ok {
				t.Errorf("%s can answer %s, which the document does not list", key, status)
			}
		}
	}
}

// schemaKeywords are the Schema Object fields of OpenAPI 3.0.3 (a typo
// such as "additionalProperty" would silently mean nothing).
var schemaKeywords = []string{"title", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
	"maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxProperties", "minProperties",
	"required", "enum", "type", "allOf", "oneOf", "anyOf", "not", "items", "properties", "additionalProperties",
	"description", "format", "default", "nullable", "discriminator", "readOnly", "writeOnly", "xml",
	"externalDocs", "example", "deprecated"}

func TestOpenAPIIsWellFormed(t *testing.T) {
	doc := loadDoc(t)
	if doc["openapi"] != "3.0.3" {
		t.Errorf("openapi = %v, want 3.0.3", doc["openapi"])
	}
	info := obj(doc["info"])
	if str(info["title"]) == "" || str(info["version"]) == "" {
		t.Errorf("info needs a title and a version: %v", info)
	}
	schemes := obj(obj(doc["components"])["securitySchemes"])
	session := obj(schemes["session"])
	if session["type"] != "apiKey" || session["in"] != "cookie" || session["name"] != httpapi.SessionCookie {
		t.Errorf("securitySchemes.session = %v, want an apiKey in the cookie %s", session, httpapi.SessionCookie)
	}
	checkSecurity := func(where string, sec any) {
		for _, req := range list(sec) {
			for name := range obj(req) {
				if _, ok := schemes[name]; !ok {
					t.Errorf("%s: security names the undefined scheme %q", where, name)
				}
			}
		}
	}
	checkSecurity("document", doc["security"])
	if len(list(doc["security"])) == 0 {
		t.Error("the document needs a default security requirement (the session)")
	}

	// Every $ref anywhere resolves.
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"]; ok {
				if _, err := resolve(doc, str(ref)); err != nil {
					t.Errorf("%s: %v", where, err)
				}
				if len(v) > 1 {
					t.Errorf("%s: a $ref object must hold nothing else (OpenAPI 3.0 ignores siblings): %v", where, v)
				}
			}
			for k, e := range v {
				walk(where+"/"+k, e)
			}
		case []any:
			for i, e := range v {
				walk(fmt.Sprintf("%s/%d", where, i), e)
			}
		}
	}
	walk("#", doc)

	// Every schema uses known keywords, known types, and requires only what it has.
	var checkSchema func(where string, s map[string]any)
	checkSchema = func(where string, s map[string]any) {
		if s == nil {
			t.Errorf("%s: schema missing", where)
			return
		}
		if _, ok := s["$ref"]; ok {
			return
		}
		for k := range s {
			if !slices.Contains(schemaKeywords, k) && !strings.HasPrefix(k, "x-") {
				t.Errorf("%s: %q is not a Schema Object keyword", where, k)
			}
		}
		switch typ := str(s["type"]); typ {
		case "string", "number", "integer", "boolean":
		case "array":
			if s["items"] == nil {
				t.Errorf("%s: an array needs items", where)
			} else {
				checkSchema(where+"/items", obj(s["items"]))
			}
		case "object":
			for name, p := range obj(s["properties"]) {
				checkSchema(where+"/properties/"+name, obj(p))
			}
			for _, r := range list(s["required"]) {
				if _, ok := obj(s["properties"])[str(r)]; !ok {
					t.Errorf("%s: requires %q, which is not among its properties", where, r)
				}
			}
			switch ap := s["additionalProperties"].(type) {
			case nil, bool:
			case map[string]any:
				checkSchema(where+"/additionalProperties", ap)
			default:
				t.Errorf("%s: additionalProperties must be a boolean or a schema", where)
			}
		default:
			t.Errorf("%s: type %q is not an OpenAPI 3.0 type", where, typ)
		}
		if p, ok := s["pattern"]; ok {
			if _, err := regexp.Compile(str(p)); err != nil {
				t.Errorf("%s: pattern: %v", where, err)
			}
		}
		for _, e := range list(s["enum"]) {
			if !matchesType(str(s["type"]), e) {
				t.Errorf("%s: enum value %v is not a %s", where, e, s["type"])
			}
		}
	}
	components := obj(doc["components"])
	for name, s := range obj(components["schemas"]) {
		checkSchema("#/components/schemas/"+name, obj(s))
	}
	checkParam := func(where string, p map[string]any) {
		if str(p["name"]) == "" || !slices.Contains([]string{"query", "header", "path", "cookie"}, str(p["in"])) {
			t.Errorf("%s: a parameter needs a name and in (query, header, path or cookie): %v", where, p)
		}
		if p["in"] == "path" && p["required"] != true {
			t.Errorf("%s: path parameter %q must be required", where, p["name"])
		}
		checkSchema(where+"/schema", obj(p["schema"]))
	}
	for name, p := range obj(components["parameters"]) {
		checkParam("#/components/parameters/"+name, obj(p))
	}

	// Every operation: a summary, a description, a unique operationId,
	// responses with descriptions, declared path parameters.
	ids := map[string]string{}
	template := regexp.MustCompile(`\{([^}]+)\}`)
	for p, item := range obj(doc["paths"]) {
		if !strings.HasPrefix(p, "/") {
			t.Errorf("path %q must start with /", p)
		}
		for m, v := range obj(item) {
			if m == "parameters" || m == "summary" || m == "description" {
				continue
			}
			if !slices.Contains(httpMethods, m) {
				t.Errorf("paths[%s]: %q is not a method", p, m)
				continue
			}
			where := strings.ToUpper(m) + " " + p
			op := obj(v)
			for _, f := range []string{"summary", "description", "operationId"} {
				if str(op[f]) == "" {
					t.Errorf("%s: no %s", where, f)
				}
			}
			if other, dup := ids[str(op["operationId"])]; dup {
				t.Errorf("%s: operationId %q is also %s's", where, op["operationId"], other)
			}
			ids[str(op["operationId"])] = where
			checkSecurity(where, op["security"])

			params := map[string]map[string]any{}
			for _, src := range [][]any{list(obj(item)["parameters"]), list(op["parameters"])} {
				for i, pv := range src {
					pr := deref(t, doc, pv)
					checkParam(fmt.Sprintf("%s parameter %d", where, i), pr)
					params[str(pr["in"])+":"+str(pr["name"])] = pr
				}
			}
			inTemplate := map[string]bool{}
			for _, m := range template.FindAllStringSubmatch(p, -1) {
				inTemplate[m[1]] = true
				if params["path:"+m[1]] == nil {
					t.Errorf("%s: path parameter {%s} is not declared", where, m[1])
				}
			}
			for k, pr := range params {
				if pr["in"] == "path" && !inTemplate[str(pr["name"])] {
					t.Errorf("%s: declares path parameter %s, which the path does not have", where, k)
				}
			}

			if body := op["requestBody"]; body != nil {
				rb := deref(t, doc, body)
				if len(obj(rb["content"])) == 0 {
					t.Errorf("%s: requestBody has no content", where)
				}
				for ct, media := range obj(rb["content"]) {
					checkSchema(where+" request "+ct, deref(t, doc, obj(media)["schema"]))
				}
			}
			responses := obj(op["responses"])
			if len(responses) == 0 {
				t.Errorf("%s: no responses", where)
			}
			for status, rv := range responses {
				if n, err := strconv.Atoi(status); (err != nil || n < 100 || n > 599) && status != "default" {
					t.Errorf("%s: response key %q is not a status", where, status)
				}
				res := deref(t, doc, rv)
				if str(res["description"]) == "" {
					t.Errorf("%s %s: a response needs a description", where, status)
				}
				for ct, media := range obj(res["content"]) {
					checkSchema(where+" "+status+" "+ct, deref(t, doc, obj(media)["schema"]))
				}
				if status >= "400" && status != "default" {
					s := obj(obj(obj(res["content"])["application/json"])["schema"])
					if str(s["$ref"]) != "#/components/schemas/Error" {
						t.Errorf("%s %s: an error answer must be an Error, got %v", where, status, s)
					}
				}
			}
		}
	}
}

func matchesType(typ string, v any) bool {
	switch typ {
	case "string":
		_, ok := v.(string)
		return ok
	case "integer", "number":
		_, ok := v.(json.Number)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	}
	return true
}

// TestOpenAPIEnumsMatchTheCode compares the document's closed lists with
// the Go values they come from.
func TestOpenAPIEnumsMatchTheCode(t *testing.T) {
	doc := loadDoc(t)
	enum := func(ref string) []string {
		v, err := resolve(doc, ref)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, e := range list(obj(v)["enum"]) {
			out = append(out, str(e))
		}
		sort.Strings(out)
		return out
	}
	sorted := func(s ...string) []string {
		s = slices.Clone(s)
		sort.Strings(s)
		return s
	}
	fields := append([]string{""}, csvimport.Fields...)
	for ref, want := range map[string][]string{
		"#/components/schemas/Error/properties/code": sorted(warmline.ECONFLICT, warmline.EINTERNAL, warmline.EINVALID, warmline.ENOTFOUND,
			warmline.EUNAUTHORIZED, warmline.EFORBIDDEN, warmline.ETOOMANY, warmline.ETOOLARGE, warmline.EUNAVAILABLE),
		"#/components/parameters/Sort/schema":                    sorted(warmline.ClientSorts...),
		"#/components/parameters/CoolingFilter/schema":           sorted(string(warmline.CoolingNone), string(warmline.CoolingOK), string(warmline.CoolingSoonSt), string(warmline.CoolingCooled)),
		"#/components/schemas/CoolingState":                      sorted(string(warmline.CoolingNone), string(warmline.CoolingOK), string(warmline.CoolingSoonSt), string(warmline.CoolingCooled)),
		"#/components/schemas/Role":                              sorted(string(warmline.RoleAgent), string(warmline.RoleSupervisor), string(warmline.RoleAdmin)),
		"#/components/schemas/Locale":                            sorted(warmline.Locales...),
		"#/components/schemas/StageKind":                         sorted(string(warmline.StageOpen), string(warmline.StageWon), string(warmline.StageRejected)),
		"#/components/schemas/CoolingUnit":                       sorted(string(warmline.CoolingWorkingDays), string(warmline.CoolingHours)),
		"#/components/schemas/ImportMode":                        sorted(warmline.ImportAllOrNothing, warmline.ImportSkipBadRows),
		"#/components/schemas/Import/properties/status":          sorted(warmline.ImportRunning, warmline.ImportDone, warmline.ImportFailed),
		"#/components/schemas/ImportField":                       sorted(fields...),
		"#/components/schemas/ImportPreview/properties/encoding": sorted(csvimport.EncodingUTF8, csvimport.EncodingWindows1251),
	} {
		if got := enum(ref); !slices.Equal(got, want) {
			t.Errorf("%s enum = %q, the code has %q", ref, got, want)
		}
	}
	per := obj(resolveMust(t, doc, "#/components/parameters/PerPage/schema"))
	if per["maximum"] != json.Number(strconv.Itoa(warmline.MaxPerPage)) {
		t.Errorf("per_page maximum = %v, want warmline.MaxPerPage (%d)", per["maximum"], warmline.MaxPerPage)
	}
}

func resolveMust(t *testing.T, doc map[string]any, ref string) any {
	t.Helper()
	v, err := resolve(doc, ref)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestOpenAPISchemasMatchTheGoTypes compares every schema's properties with
// the JSON fields of the Go type the server encodes or decodes, both ways,
// with their JSON types; a field the server answers with is required
// unless it is omitempty.
func TestOpenAPISchemasMatchTheGoTypes(t *testing.T) {
	doc := loadDoc(t)
	type pair struct {
		typ      reflect.Type
		response bool     // the server writes it: every field always present
		without  []string // Go fields the schema leaves out on purpose
	}
	pairs := map[string]pair{
		"Error":              {reflect.TypeFor[httpapi.ErrorBody](), true, nil},
		"Organisation":       {reflect.TypeFor[warmline.Organisation](), true, nil},
		"User":               {reflect.TypeFor[warmline.User](), true, nil},
		"Stage":              {reflect.TypeFor[warmline.Stage](), true, nil},
		"Client":             {reflect.TypeFor[warmline.Client](), true, nil},
		"ClientPage":         {reflect.TypeFor[warmline.ClientPage](), true, nil},
		"Transition":         {reflect.TypeFor[warmline.Transition](), true, nil},
		"ChannelCount":       {reflect.TypeFor[warmline.ChannelCount](), true, nil},
		"Presence":           {reflect.TypeFor[warmline.Presence](), true, nil},
		"FunnelReport":       {reflect.TypeFor[warmline.FunnelReport](), true, nil},
		"FunnelStage":        {reflect.TypeFor[warmline.FunnelStage](), true, nil},
		"Call":               {reflect.TypeFor[warmline.Call](), true, nil},
		"CallsToday":         {reflect.TypeFor[warmline.CallsToday](), true, nil},
		"CallsReport":        {reflect.TypeFor[warmline.CallsReport](), true, nil},
		"Import":             {reflect.TypeFor[warmline.Import](), true, nil},
		"ImportError":        {reflect.TypeFor[warmline.ImportError](), true, nil},
		"ImportPreview":      {reflect.TypeFor[csvimport.FilePreview](), true, nil},
		"SignUp":             {reflect.TypeFor[warmline.SignUp](), false, nil},
		"OrganisationUpdate": {reflect.TypeFor[warmline.OrganisationUpdate](), false, nil},
		"NewUser":            {reflect.TypeFor[warmline.NewUser](), false, nil},
		"UserUpdate":         {reflect.TypeFor[warmline.UserUpdate](), false, nil},
		"StageCreate":        {reflect.TypeFor[warmline.StageInput](), false, nil},
		"StageUpdate":        {reflect.TypeFor[warmline.StageInput](), false, nil},
		"ClientCreate":       {reflect.TypeFor[warmline.ClientInput](), false, nil},
		// Rules engine (issue 5).
		"Calendar":           {reflect.TypeFor[warmline.Calendar](), true, nil},
		"CalendarInput":      {reflect.TypeFor[warmline.CalendarInput](), false, nil},
		"WorkingHours":       {reflect.TypeFor[warmline.WorkingHours](), true, nil},
		"Holiday":            {reflect.TypeFor[warmline.Holiday](), true, nil},
		"RuleSettings":       {reflect.TypeFor[warmline.RuleSettings](), true, nil},
		"RuleSettingsUpdate": {reflect.TypeFor[warmline.RuleSettingsUpdate](), false, nil},
		"Contact":            {reflect.TypeFor[warmline.Contact](), true, nil},
		"ContactInput":       {reflect.TypeFor[warmline.ContactInput](), false, nil},
		"AfterCallInput":     {reflect.TypeFor[warmline.AfterCallInput](), false, nil},
		"AfterCall":          {reflect.TypeFor[warmline.AfterCall](), true, nil},
		"WorkItem":           {reflect.TypeFor[warmline.WorkItem](), true, nil},
		"QueueCount":         {reflect.TypeFor[warmline.QueueCount](), true, nil},
		"WorkItemList":       {reflect.TypeFor[warmline.WorkItemList](), true, nil},
		"RuleAction":         {reflect.TypeFor[warmline.RuleAction](), true, nil},
		"MyDayItem":          {reflect.TypeFor[warmline.MyDayItem](), true, nil},
		"MyDay":              {reflect.TypeFor[warmline.MyDay](), true, nil},
		// The stage changes only through /move; PATCH refuses stage_id.
		"ClientUpdate": {reflect.TypeFor[warmline.ClientInput](), false, []string{"stage_id"}},
		// Integrations.
		"Webhook":            {reflect.TypeFor[warmline.Webhook](), true, nil},
		"WebhookInput":       {reflect.TypeFor[warmline.WebhookInput](), false, nil},
		"WebhookDelivery":    {reflect.TypeFor[warmline.WebhookDelivery](), true, nil},
		"EmailSettings":      {reflect.TypeFor[warmline.EmailSettings](), true, nil},
		"EmailSettingsInput": {reflect.TypeFor[warmline.EmailSettingsInput](), false, nil},
		"EmailTest":          {reflect.TypeFor[warmline.EmailTest](), false, nil},
		"EmailTestResult":    {reflect.TypeFor[warmline.EmailTestResult](), true, nil},
		"Plan":               {reflect.TypeFor[warmline.Plan](), true, nil},
		"PlanInput":          {reflect.TypeFor[warmline.PlanInput](), false, nil},
		"PlanSettings":       {reflect.TypeFor[warmline.PlanSettings](), true, nil},
		"PlanMetric":         {reflect.TypeFor[warmline.PlanMetric](), true, nil},
		"PlanProgress":       {reflect.TypeFor[warmline.PlanProgress](), true, nil},
		"PlanProgressReport": {reflect.TypeFor[warmline.PlanProgressReport](), true, nil},
		// Phone (issue 3).
		"CallCreate":  {reflect.TypeFor[httpapi.CallCreate](), false, nil},
		"CallCreated": {reflect.TypeFor[httpapi.CallCreated](), true, nil},
		"DemoCallIn":  {reflect.TypeFor[httpapi.DemoCallIn](), false, nil},
		"Trunk":       {reflect.TypeFor[warmline.Trunk](), true, nil},
		"TrunkCreate": {reflect.TypeFor[httpapi.TrunkInput](), false, nil},
		"TrunkUpdate": {reflect.TypeFor[httpapi.TrunkInput](), false, nil},
		"Line":        {reflect.TypeFor[warmline.Line](), true, nil},
		"LineCreate":  {reflect.TypeFor[httpapi.LineInput](), false, nil},
		"LineUpdate":  {reflect.TypeFor[httpapi.LineInput](), false, nil},
	}
	schemas := obj(obj(doc["components"])["schemas"])
	for name, p := range pairs {
		s := obj(schemas[name])
		if s == nil {
			t.Errorf("no schema %s", name)
			continue
		}
		if s["additionalProperties"] != false {
			t.Errorf("%s: additionalProperties must be false (the server rejects or never sends unknown fields)", name)
		}
		props := obj(s["properties"])
		required := map[string]bool{}
		for _, r := range list(s["required"]) {
			required[str(r)] = true
		}
		goFields := map[string]bool{}
		for i := 0; i < p.typ.NumField(); i++ {
			f := p.typ.Field(i)
			tag := f.Tag.Get("json")
			jname, opts, _ := strings.Cut(tag, ",")
			if jname == "-" || !f.IsExported() {
				continue
			}
			if jname == "" {
				jname = f.Name
			}
			if slices.Contains(p.without, jname) {
				continue
			}
			goFields[jname] = true
			ps, ok := props[jname]
			if !ok {
				t.Errorf("%s: the Go field %s.%s (json %q) is not in the schema", name, p.typ.Name(), f.Name, jname)
				continue
			}
			omitempty := strings.Contains(opts, "omitempty")
			if p.response && required[jname] == omitempty {
				t.Errorf("%s.%s: required=%v, but the server always sends it=%v", name, jname, required[jname], !omitempty)
			}
			checkGoType(t, doc, name+"."+jname, f.Type, deref(t, doc, ps), p.response, true)
		}
		for jname := range props {
			if !goFields[jname] {
				t.Errorf("%s: property %q has no field in %s", name, jname, p.typ)
			}
		}
	}
}

// checkGoType compares a Go field's type with its schema.
func checkGoType(t *testing.T, doc map[string]any, where string, typ reflect.Type, s map[string]any, response, field bool) {
	t.Helper()
	nullable := s["nullable"] == true
	if typ.Kind() == reflect.Pointer {
		// List items are pointers to values that exist; a field's nil pointer is null.
		if response && field && !nullable {
			t.Errorf("%s: a Go pointer is written as null when empty; mark it nullable", where)
		}
		typ = typ.Elem()
	} else if nullable {
		t.Errorf("%s: nullable, but the Go field is never null", where)
	}
	want := ""
	switch {
	case typ == reflect.TypeFor[time.Time]():
		want = "string"
		if s["format"] != "date-time" {
			t.Errorf("%s: a time needs format date-time", where)
		}
	case typ.Kind() == reflect.String:
		want = "string"
	case typ.Kind() == reflect.Bool:
		want = "boolean"
	case typ.Kind() >= reflect.Int && typ.Kind() <= reflect.Uint64:
		want = "integer"
	case typ.Kind() == reflect.Float32 || typ.Kind() == reflect.Float64:
		want = "number"
	case typ.Kind() == reflect.Slice:
		want = "array"
	case typ.Kind() == reflect.Map || typ.Kind() == reflect.Struct:
		want = "object"
	}
	if got := str(s["type"]); got != want {
		t.Errorf("%s: schema type %q, the Go type %s encodes as %q", where, got, typ, want)
	}
	if typ.Kind() == reflect.Slice && typ.Elem().Kind() != reflect.Uint8 {
		checkGoType(t, doc, where+"[]", typ.Elem(), deref(t, doc, s["items"]), response, false)
	}
}

// TestOpenAPIIsServedWithoutASession is (d): the document is public.
func TestOpenAPIIsServedWithoutASession(t *testing.T) {
	srv := httptest.NewServer(dbFreeServer())
	defer srv.Close()
	res, err := http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	if ct, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", res.Header.Get("Content-Type"))
	}
	file, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, file) {
		t.Error("the served document is not openapi.json")
	}
	conform(t, "GET", "/api/v1/openapi.json", response{Status: res.StatusCode, Body: body, Header: res.Header})
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil || v["openapi"] != "3.0.3" {
		t.Errorf("not an OpenAPI 3 JSON document: %v", err)
	}
}

// ---- Conformance of real answers to the document -------------------------

// routeOf finds the route template ("/api/v1/clients/:id") serving path,
// preferring static segments as Echo does.
func routeOf(method, path string) (string, bool) {
	path, _, _ = strings.Cut(path, "?")
	best, bestStatic := "", -1
	for _, r := range routeList() {
		if r.Method != method {
			continue
		}
		rs, ps := strings.Split(r.Path, "/"), strings.Split(path, "/")
		if len(rs) != len(ps) {
			continue
		}
		static, ok := 0, true
		for i := range rs {
			switch {
			case strings.HasPrefix(rs[i], ":"):
			case rs[i] == ps[i]:
				static++
			default:
				ok = false
			}
		}
		if ok && static > bestStatic {
			best, bestStatic = r.Path, static
		}
	}
	return best, bestStatic >= 0
}

var routeList = sync.OnceValue(func() []httpapi.Route { return dbFreeServer().Routes() })

// conform checks an answer of the API against the document: the status is
// one the operation lists, and a JSON body matches its schema exactly (no
// undeclared property, no required one missing, types, enums, nullability).
func conform(t *testing.T, method, path string, r response) {
	t.Helper()
	for _, p := range conformance(loadDoc(t), method, path, r) {
		t.Errorf("%s %s answered %d against the document: %s\n%s", method, path, r.Status, p, r.Body)
	}
}

func conformance(doc map[string]any, method, path string, r response) []string {
	route, ok := routeOf(method, path)
	if !ok {
		return nil // not an /api/v1 route (SPA, health, unknown route)
	}
	key := method + " " + docPath(route)
	op := operations(doc)[key]
	if op == nil {
		return []string{key + " is not in the document"}
	}
	rv, ok := obj(op["responses"])[strconv.Itoa(r.Status)]
	if !ok {
		return []string{fmt.Sprintf("the document does not list the status %d for %s", r.Status, key)}
	}
	res := obj(rv)
	if ref := str(res["$ref"]); ref != "" {
		v, err := resolve(doc, ref)
		if err != nil {
			return []string{err.Error()}
		}
		res = obj(v)
	}
	content := obj(res["content"])
	if len(content) == 0 {
		if len(r.Body) != 0 {
			return []string{"the document says no body"}
		}
		return nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	media, ok := content[ct]
	if !ok {
		return []string{fmt.Sprintf("Content-Type %q is not among the documented %v", ct, keys(content))}
	}
	if ct != "application/json" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{fmt.Sprintf("the body is not JSON: %v", err)}
	}
	return validate(doc, obj(media)["schema"], v, "body")
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// validate checks v against schema s (the subset of JSON Schema the
// document uses) and returns what does not match.
func validate(doc map[string]any, sv any, v any, at string) []string {
	s := obj(sv)
	for i := 0; i < 10 && s["$ref"] != nil; i++ {
		r, err := resolve(doc, str(s["$ref"]))
		if err != nil {
			return []string{err.Error()}
		}
		s = obj(r)
	}
	if v == nil {
		if s["nullable"] == true {
			return nil
		}
		return []string{at + " is null, which the schema does not allow"}
	}
	var probs []string
	fail := func(format string, args ...any) { probs = append(probs, at+": "+fmt.Sprintf(format, args...)) }
	if e := list(s["enum"]); e != nil && !slices.ContainsFunc(e, func(x any) bool { return fmt.Sprint(x) == fmt.Sprint(v) }) {
		fail("%v is not one of %v", v, e)
	}
	switch str(s["type"]) {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			fail("want an object, got %T", v)
			break
		}
		props := obj(s["properties"])
		for _, r := range list(s["required"]) {
			if _, ok := m[str(r)]; !ok {
				fail("the required property %q is missing", r)
			}
		}
		for _, k := range keys(m) {
			if ps, ok := props[k]; ok {
				probs = append(probs, validate(doc, ps, m[k], at+"."+k)...)
			} else if ap, ok := s["additionalProperties"].(map[string]any); ok {
				probs = append(probs, validate(doc, ap, m[k], at+"["+strconv.Quote(k)+"]")...)
			} else if s["additionalProperties"] == false {
				fail("property %q is not in the schema", k)
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			fail("want an array, got %T", v)
			break
		}
		for i, e := range a {
			probs = append(probs, validate(doc, s["items"], e, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case "string":
		x, ok := v.(string)
		if !ok {
			fail("want a string, got %T %v", v, v)
			break
		}
		if s["format"] == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, x); err != nil {
				fail("%q is not a date-time", x)
			}
		}
		if p := str(s["pattern"]); p != "" && !regexp.MustCompile(p).MatchString(x) {
			fail("%q does not match %s", x, p)
		}
		if n, ok := s["minLength"].(json.Number); ok && int64(len([]rune(x))) < mustInt(n) {
			fail("%q is shorter than %s", x, n)
		}
	case "integer":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			fail("want an integer, got %T %v", v, v)
			break
		}
		x, _ := n.Int64()
		if m, ok := s["minimum"].(json.Number); ok && x < mustInt(m) {
			fail("%d is below the minimum %s", x, m)
		}
		if m, ok := s["maximum"].(json.Number); ok && x > mustInt(m) {
			fail("%d is above the maximum %s", x, m)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			fail("want true or false, got %T %v", v, v)
		}
	}
	return probs
}

func mustInt(n json.Number) int64 {
	x, err := n.Int64()
	if err != nil {
		panic(err)
	}
	return x
}

// api sends a request like do and checks the answer against the document.
func (c *client) api(method, path string, body any) response {
	c.t.Helper()
	r := c.do(method, path, body)
	conform(c.t, method, path, r)
	return r
}

// apiUpload sends a multipart form like upload and checks the answer against the document.
func (c *client) apiUpload(path, fileName string, file []byte, fields map[string]string) response {
	c.t.Helper()
	r := c.upload(path, fileName, file, fields)
	conform(c.t, http.MethodPost, path, r)
	return r
}

// topKeys returns the sorted top-level keys of a JSON object answer.
func topKeys(t *testing.T, r response) []string {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return keys(m)
}

// keysAgainst compares an answer's keys with a component schema: every key
// is declared, and every declared property is there (optional ones, such
// as an omitempty field, only when the answer has them).
func keysAgainst(t *testing.T, got []string, schema string) string {
	t.Helper()
	s := obj(obj(obj(loadDoc(t)["components"])["schemas"])[schema])
	declared := keys(obj(s["properties"]))
	var msgs []string
	for _, k := range got {
		if !slices.Contains(declared, k) {
			msgs = append(msgs, fmt.Sprintf("the answer has %q, which the schema %s does not declare", k, schema))
		}
	}
	for _, r := range list(s["required"]) {
		if !slices.Contains(got, str(r)) {
			msgs = append(msgs, fmt.Sprintf("the schema %s declares %q as always there, but the answer lacks it", schema, r))
		}
	}
	if len(msgs) > 0 {
		return fmt.Sprintf("keys %q: %s", got, strings.Join(msgs, "; "))
	}
	return ""
}

// TestOpenAPIMatchesRealAnswers is (c): real answers of a running server,
// one of each kind, have exactly the properties their schemas declare.
func TestOpenAPIMatchesRealAnswers(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.signUp(t, "Schema Org")
	stage := admin.api("POST", "/api/v1/stages", map[string]any{"name": "Schema stage", "cooling_period": 4, "cooling_unit": "hours", "cooling_soon": 1}).must(t, 201)
	user := admin.api("POST", "/api/v1/users", map[string]string{"email": "schema-agent@example.com", "name": "Agent", "role": "agent", "password": "a good long password"}).must(t, 201)
	cl := admin.api("POST", "/api/v1/clients", map[string]any{"name": "Schema client", "phones": []string{"8 903 555-01-01"}, "channel": "ads", "owner_id": admin.ID}).must(t, 201)
	clientID := idOf(t, cl)
	csv := "Name,Phone\nGood One,+79035550102\nBad One,not a phone\n"
	imp := admin.apiUpload("/api/v1/imports", "schema.csv", []byte(csv), map[string]string{"mapping": `{"Name":"name","Phone":"phone"}`, "mode": "skip_bad_rows"}).must(t, 202)
	importID := idOf(t, imp)
	waitImport(t, admin, importID)
	done := admin.api("GET", fmt.Sprintf("/api/v1/imports/%d", importID), nil).must(t, 200)
	preview := admin.apiUpload("/api/v1/imports/preview", "schema.csv", []byte(csv), nil).must(t, 200)
	notFound := admin.api("GET", "/api/v1/clients/999999999", nil).must(t, 404)
	admin.api("POST", fmt.Sprintf("/api/v1/clients/%d/move", clientID), map[string]any{"stage_id": idOf(t, stage), "reason": "schema"}).must(t, 200)
	transitions := admin.api("GET", fmt.Sprintf("/api/v1/clients/%d/transitions", clientID), nil).must(t, 200)
	me := admin.api("GET", "/api/v1/auth/me", nil).must(t, 200)
	channels := admin.api("GET", "/api/v1/channels", nil).must(t, 200)
	page := admin.api("GET", "/api/v1/clients", nil).must(t, 200)

	for _, c := range []struct {
		name   string
		res    response
		schema string
	}{
		{"a stage", stage, "Stage"},
		{"a user", user, "User"},
		{"a client", cl, "Client"},
		{"a started import", imp, "Import"},
		{"a finished import", done, "Import"},
		{"an import preview", preview, "ImportPreview"},
		{"an error", notFound, "Error"},
		{"the caller", me, "Me"},
		{"a client page", page, "ClientPage"},
	} {
		if msg := keysAgainst(t, topKeys(t, c.res), c.schema); msg != "" {
			t.Errorf("%s: %s", c.name, msg)
		}
	}
	// Nested items, too: a transition, a channel count, an import error.
	var tr struct{ Items []json.RawMessage }
	transitions.JSON(t, &tr)
	var ch struct{ Items []json.RawMessage }
	channels.JSON(t, &ch)
	var im struct{ Errors []json.RawMessage }
	done.JSON(t, &im)
	if len(tr.Items) != 2 || len(ch.Items) != 1 || len(im.Errors) != 1 {
		t.Fatalf("want 2 transitions, 1 channel, 1 import error; got %d, %d, %d", len(tr.Items), len(ch.Items), len(im.Errors))
	}
	for _, c := range []struct {
		name   string
		raw    json.RawMessage
		schema string
	}{
		{"a transition", tr.Items[1], "Transition"},
		{"a channel count", ch.Items[0], "ChannelCount"},
		{"an import error", im.Errors[0], "ImportError"},
	} {
		if msg := keysAgainst(t, topKeys(t, response{Body: c.raw}), c.schema); msg != "" {
			t.Errorf("%s: %s", c.name, msg)
		}
	}
}

// TestConformCatchesDrift proves the conformance check can fail: an answer
// with an extra or a missing property, a wrong type or an undocumented
// status is reported.
func TestConformCatchesDrift(t *testing.T) {
	doc := loadDoc(t)
	good := map[string]any{"code": "invalid", "error": "x", "field": ""}
	for _, c := range []struct {
		name string
		v    any
	}{
		{"an undeclared property", map[string]any{"code": "invalid", "error": "x", "field": "", "extra": json.Number("1")}},
		{"a missing property", map[string]any{"code": "invalid", "error": "x"}},
		{"a code outside the enum", map[string]any{"code": "teapot", "error": "x", "field": ""}},
		{"a wrong type", map[string]any{"code": "invalid", "error": json.Number("1"), "field": ""}},
		{"null where not nullable", map[string]any{"code": "invalid", "error": nil, "field": ""}},
	} {
		if p := validate(doc, map[string]any{"$ref": "#/components/schemas/Error"}, c.v, "body"); len(p) == 0 {
			t.Errorf("%s passed validation", c.name)
		}
	}
	if p := validate(doc, map[string]any{"$ref": "#/components/schemas/Error"}, good, "body"); len(p) != 0 {
		t.Errorf("a good error failed validation: %v", p)
	}
	if route, _ := routeOf("GET", "/api/v1/clients/export?q=1"); route != "/api/v1/clients/export" {
		t.Errorf("GET /clients/export matched %q, want the static route", route)
	}
	if route, _ := routeOf("GET", "/api/v1/clients/12"); route != "/api/v1/clients/:id" {
		t.Errorf("GET /clients/12 matched %q", route)
	}
	jsonHeader := http.Header{"Content-Type": {"application/json; charset=UTF-8"}}
	if p := conformance(doc, "GET", "/api/v1/auth/me", response{Status: 418, Body: []byte(`{}`), Header: jsonHeader}); len(p) == 0 {
		t.Error("an undocumented status passed")
	}
	if p := conformance(doc, "DELETE", "/api/v1/clients/1", response{Status: 204, Body: []byte(`{}`), Header: jsonHeader}); len(p) == 0 {
		t.Error("a body on a documented 204 passed")
	}
	if p := conformance(doc, "GET", "/api/v1/organisation", response{Status: 200, Body: []byte(`{}`), Header: http.Header{"Content-Type": {"text/plain"}}}); len(p) == 0 {
		t.Error("an undocumented content type passed")
	}
	if p := conformance(doc, "GET", "/api/v1/organisation", response{Status: 401, Body: []byte(`{"code":"unauthorized","error":"x","field":""}`), Header: jsonHeader}); len(p) != 0 {
		t.Errorf("a documented error failed: %v", p)
	}
}
