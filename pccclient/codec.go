package pccclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// The model types in this package decode and encode through a small
// reflection codec instead of plain encoding/json so that a resource read from
// Partner Center can be sent back (PATCH of the whole subscription) without
// losing anything:
//
//   - member names match case-insensitively on input (PC's own samples mix
//     camelCase and PascalCase) and are written in PC's camelCase;
//   - members the struct does not know land in the model's Extra map and are
//     written back unchanged;
//   - a member that was present in the input is written back even when its
//     value is the zero value (false, 0, "", [] and null survive), while an
//     absent zero-valued member stays absent (so requests built from scratch
//     do not carry empty enums PC would reject);
//   - timestamps are time.Time, parsed tolerantly (with or without zone,
//     fractional seconds of any length, stray spaces); an unchanged timestamp
//     is written back with its original text, an unparseable one decodes as
//     the zero time and is preserved verbatim while the field stays zero.
//
// A field tagged `json:"name,omitempty"` is omitted when zero and absent from
// the input; a field without omitempty is always written.

// wireState is the per-object decode memory kept by every model: which
// struct fields (by index) were present in the input, and the raw JSON of
// members that were null or timestamps.
type wireState struct {
	seen [2]uint64
	raw  map[int]json.RawMessage
	orig json.RawMessage // the whole object as received, for models that keep it
}

// keepsReceived is implemented by the models whose received JSON is kept
// (see ReceivedJSON): the ones mirrored in bulk, where re-encoding every
// object was a third of a full import's CPU.
type keepsReceived interface{ ReceivedJSON() json.RawMessage }

// maxModelFields bounds the struct size the codec handles (wireState.seen).
const maxModelFields = 128

func (w *wireState) mark(i int, raw json.RawMessage) {
	w.seen[i/64] |= 1 << (i % 64)
	if raw != nil {
		if w.raw == nil {
			w.raw = make(map[int]json.RawMessage, 4)
		}
		w.raw[i] = raw
	}
}

func (w *wireState) has(i int) (json.RawMessage, bool) {
	if w.seen[i/64]&(1<<(i%64)) == 0 {
		return nil, false
	}
	return w.raw[i], true
}

type fieldInfo struct {
	index     int
	name      string
	omitEmpty bool
	isTime    bool
	nested    nestedKind
}

// nestedKind marks fields holding other models (a model, a pointer to one
// or a slice of them): decodeNested hands their raw JSON straight to the
// model's own decoder instead of through encoding/json, which would scan
// and validate the same bytes again at every level (a page of
// subscriptions was scanned five times).
type nestedKind uint8

const (
	nestedNone nestedKind = iota
	nestedModel
	nestedPtr
	nestedSlice
)

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

func nestedKindOf(t reflect.Type) nestedKind {
	isModel := func(t reflect.Type) bool {
		return t.Kind() == reflect.Struct && reflect.PointerTo(t).Implements(unmarshalerType)
	}
	switch {
	case isModel(t):
		return nestedModel
	case t.Kind() == reflect.Pointer && isModel(t.Elem()):
		return nestedPtr
	case t.Kind() == reflect.Slice && isModel(t.Elem()):
		return nestedSlice
	}
	return nestedNone
}

type typeInfo struct {
	fields []fieldInfo
	byName map[string]int // exact json name -> position in fields
	byFold map[string]int // lower-cased json name -> position in fields
}

var (
	typeCache sync.Map // reflect.Type -> *typeInfo
	timeType  = reflect.TypeFor[time.Time]()
	nullJSON  = json.RawMessage("null")
)

func infoFor(t reflect.Type) *typeInfo {
	if v, ok := typeCache.Load(t); ok {
		return v.(*typeInfo)
	}
	ti := &typeInfo{byName: map[string]int{}, byFold: map[string]int{}}
	if t.NumField() > maxModelFields {
		panic("pccclient: model " + t.Name() + " has too many fields for the codec")
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		fi := fieldInfo{
			index:     i,
			name:      name,
			omitEmpty: slices.Contains(strings.Split(opts, ","), "omitempty"),
			isTime:    sf.Type == timeType,
		}
		if !fi.isTime {
			fi.nested = nestedKindOf(sf.Type)
		}
		ti.byName[name] = len(ti.fields)
		ti.byFold[strings.ToLower(name)] = len(ti.fields)
		ti.fields = append(ti.fields, fi)
	}
	v, _ := typeCache.LoadOrStore(t, ti)
	return v.(*typeInfo)
}

// decodeModel decodes the JSON object b into the struct pointed to by v,
// collecting unknown members into *extra and presence into *ws.
func decodeModel(b []byte, v any, extra *map[string]json.RawMessage, ws *wireState) error {
	rv := reflect.ValueOf(v).Elem()
	rv.SetZero()
	if _, ok := v.(keepsReceived); ok {
		ws.orig = bytes.Clone(b)
	}
	ti := infoFor(rv.Type())
	isNull, err := eachMember(b, func(k []byte, raw []byte) error {
		pos, ok := ti.byName[string(k)]
		if !ok {
			pos, ok = ti.byFold[strings.ToLower(string(k))]
		}
		if !ok {
			if *extra == nil {
				*extra = make(map[string]json.RawMessage)
			}
			(*extra)[string(k)] = bytes.Clone(raw)
			return nil
		}
		fi := ti.fields[pos]
		switch {
		case raw[0] == 'n': // null (eachMember only yields valid tokens)
			ws.mark(fi.index, nullJSON)
		case fi.isTime:
			ws.mark(fi.index, bytes.Clone(raw))
			var s string
			if setField(reflect.ValueOf(&s).Elem(), raw) == nil {
				if t, ok := parseTime(s); ok {
					rv.Field(fi.index).Set(reflect.ValueOf(t))
				}
			}
		default:
			ws.mark(fi.index, nil)
			if ok, err := decodeNested(rv.Field(fi.index), fi.nested, raw); ok {
				if err != nil {
					return fmt.Errorf("pccclient: decode %s.%s: %w", rv.Type().Name(), fi.name, err)
				}
				return nil
			}
			if err := setField(rv.Field(fi.index), raw); err != nil {
				return fmt.Errorf("pccclient: decode %s.%s: %w", rv.Type().Name(), fi.name, err)
			}
		}
		return nil
	})
	if err != nil {
		if strings.HasPrefix(err.Error(), "pccclient:") {
			return err
		}
		return fmt.Errorf("pccclient: decode %s: %w", rv.Type().Name(), err)
	}
	_ = isNull // JSON null leaves the zero value, as encoding/json does
	return nil
}

// decodeNested decodes raw into a field of kind k with the nested models'
// own UnmarshalJSON; ok is false when the field is not nested or raw is
// not the object or array it needs (encoding/json then reports why).
func decodeNested(f reflect.Value, k nestedKind, raw []byte) (ok bool, err error) {
	switch {
	case k == nestedModel && raw[0] == '{':
		return true, f.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw)
	case k == nestedPtr && raw[0] == '{':
		v := reflect.New(f.Type().Elem())
		if err := v.Interface().(json.Unmarshaler).UnmarshalJSON(raw); err != nil {
			return true, err
		}
		f.Set(v)
		return true, nil
	case k == nestedSlice && raw[0] == '[':
		sl := reflect.MakeSlice(f.Type(), 0, 4)
		err := eachElement(raw, func(e []byte) error {
			sl = reflect.Append(sl, reflect.Zero(f.Type().Elem()))
			return sl.Index(sl.Len() - 1).Addr().Interface().(json.Unmarshaler).UnmarshalJSON(e)
		})
		if err != nil {
			return true, err
		}
		f.Set(sl)
		return true, nil
	}
	return false, nil
}

// eachElement calls fn with the raw JSON of each element of the array b.
func eachElement(b []byte, fn func(raw []byte) error) error {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '[' {
		return errors.New("want a JSON array")
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		if skipWS(b, i+1) != len(b) {
			return errors.New("invalid JSON after array")
		}
		return nil
	}
	for {
		end, err := skipValue(b, i)
		if err != nil {
			return err
		}
		if err := fn(b[i:end]); err != nil {
			return err
		}
		i = skipWS(b, end)
		if i >= len(b) {
			return errors.New("invalid JSON: unterminated array")
		}
		if b[i] == ']' {
			if skipWS(b, i+1) != len(b) {
				return errors.New("invalid JSON after array")
			}
			return nil
		}
		if b[i] != ',' {
			return errors.New("invalid JSON: want ',' or ']'")
		}
		i = skipWS(b, i+1)
	}
}

var numberType = reflect.TypeFor[json.Number]()

// setField decodes raw into f, with fast paths for plain strings, booleans
// and integers (the bulk of PC's members) and encoding/json for the rest.
func setField(f reflect.Value, raw []byte) error {
	switch f.Kind() {
	case reflect.String:
		if f.Type() != numberType && len(raw) >= 2 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
			f.SetString(string(raw[1 : len(raw)-1]))
			return nil
		}
	case reflect.Bool:
		switch string(raw) {
		case "true":
			f.SetBool(true)
			return nil
		case "false":
			f.SetBool(false)
			return nil
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		if n, ok := parseSmallInt(raw); ok && !f.OverflowInt(n) {
			f.SetInt(n)
			return nil
		}
	}
	return json.Unmarshal(raw, f.Addr().Interface())
}

// parseSmallInt parses a plain JSON integer of up to 18 digits without
// allocating; anything else is left to encoding/json.
func parseSmallInt(raw []byte) (int64, bool) {
	neg := len(raw) > 0 && raw[0] == '-'
	d := raw
	if neg {
		d = raw[1:]
	}
	if len(d) == 0 || len(d) > 18 || (len(d) > 1 && d[0] == '0') {
		return 0, false
	}
	var n int64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// eachMember calls fn with the name and raw value of each member of the JSON
// object in b, without copying. It reports isNull for a JSON null and an
// error for anything that is not a well-formed object.
func eachMember(b []byte, fn func(key, raw []byte) error) (isNull bool, err error) {
	i := skipWS(b, 0)
	if i < len(b) && b[i] == 'n' {
		end, err := skipValue(b, i)
		if err != nil || string(b[i:end]) != "null" || skipWS(b, end) != len(b) {
			return false, errors.New("invalid JSON")
		}
		return true, nil
	}
	if i >= len(b) || b[i] != '{' {
		return false, errors.New("want a JSON object")
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		if skipWS(b, i+1) != len(b) {
			return false, errors.New("invalid JSON after object")
		}
		return false, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return false, errors.New("invalid JSON: want a member name")
		}
		end, err := skipValue(b, i)
		if err != nil {
			return false, err
		}
		rawKey := b[i:end]
		key := rawKey[1 : len(rawKey)-1]
		if bytes.IndexByte(rawKey, '\\') >= 0 {
			var ks string
			if err := json.Unmarshal(rawKey, &ks); err != nil {
				return false, fmt.Errorf("invalid member name: %w", err)
			}
			key = []byte(ks)
		}
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ':' {
			return false, errors.New("invalid JSON: want ':'")
		}
		i = skipWS(b, i+1)
		vend, err := skipValue(b, i)
		if err != nil {
			return false, err
		}
		if err := fn(key, b[i:vend]); err != nil {
			return false, err
		}
		i = skipWS(b, vend)
		if i >= len(b) {
			return false, errors.New("invalid JSON: unterminated object")
		}
		if b[i] == '}' {
			if skipWS(b, i+1) != len(b) {
				return false, errors.New("invalid JSON after object")
			}
			return false, nil
		}
		if b[i] != ',' {
			return false, errors.New("invalid JSON: want ',' or '}'")
		}
		i = skipWS(b, i+1)
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value starting at b[i]. Strings and
// nesting are tracked exactly; scalars are validated with json.Valid.
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errors.New("invalid JSON: unexpected end")
	}
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1, nil
			}
		}
		return 0, errors.New("invalid JSON: unterminated string")
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := skipValue(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					// Not validated here: the member's own decode validates it
					// (encoding/json already validated the whole document
					// before calling UnmarshalJSON).
					return j + 1, nil
				}
			}
		}
		return 0, errors.New("invalid JSON: unterminated container")
	default:
		j := i
		for j < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[j])) {
			j++
		}
		if j == i || !json.Valid(b[i:j]) {
			return 0, fmt.Errorf("invalid JSON value %q", truncate(string(b[i:j]), 20))
		}
		return j, nil
	}
}

// encodeModel writes the struct pointed to by v as a JSON object.
func encodeModel(v any, extra map[string]json.RawMessage, ws wireState) ([]byte, error) {
	rv := reflect.ValueOf(v).Elem()
	ti := infoFor(rv.Type())
	var buf bytes.Buffer
	buf.WriteByte('{')
	first := true
	emit := func(name string, raw []byte) {
		if !first {
			buf.WriteByte(',')
		}
		first = false
		nb, _ := json.Marshal(name)
		buf.Write(nb)
		buf.WriteByte(':')
		buf.Write(raw)
	}
	for _, fi := range ti.fields {
		fv := rv.Field(fi.index)
		raw, wasPresent := ws.has(fi.index)
		zero := fv.IsZero()
		if wasPresent && zero && bytes.Equal(raw, nullJSON) {
			emit(fi.name, nullJSON)
			continue
		}
		if fi.isTime && wasPresent && raw != nil && !bytes.Equal(raw, nullJSON) {
			t := fv.Interface().(time.Time)
			var s string
			_ = json.Unmarshal(raw, &s)
			pt, ok := parseTime(s)
			if (ok && pt.Equal(t)) || (!ok && t.IsZero()) {
				emit(fi.name, raw)
				continue
			}
		}
		if zero && fi.omitEmpty && !wasPresent {
			continue
		}
		if fi.isTime {
			tb, _ := json.Marshal(fv.Interface().(time.Time).Format(time.RFC3339Nano))
			emit(fi.name, tb)
			continue
		}
		b, err := json.Marshal(fv.Interface())
		if err != nil {
			return nil, fmt.Errorf("pccclient: encode %s.%s: %w", rv.Type().Name(), fi.name, err)
		}
		emit(fi.name, b)
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		if _, known := ti.byName[k]; !known {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		raw := extra[k]
		if !json.Valid(raw) {
			return nil, fmt.Errorf("pccclient: encode %s: extra member %q is not valid JSON", rv.Type().Name(), k)
		}
		emit(k, raw)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// parseTime parses the timestamp shapes Partner Center emits. Values without
// a zone are taken as UTC. Stray spaces inside (seen in PC's doc samples,
// "2016-12-12T08: 00: 00Z") are ignored.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for range 2 {
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, true
			}
		}
		if !strings.Contains(s, " ") {
			break
		}
		s = strings.ReplaceAll(s, " ", "")
	}
	return time.Time{}, false
}

// ParseTime parses a Partner Center timestamp with the same tolerance the
// models use ("2021-09-14T16:44:14.1210743Z", "2015-11-24T01:07:00.863" as
// UTC, offsets, date only). It reports false when s is not a timestamp.
func ParseTime(s string) (time.Time, bool) { return parseTime(s) }
