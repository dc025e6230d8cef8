package blueprints_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/web/blueprints"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// graphDoc has a local, a data source and two resources, linked through a reference, a
// reference to a local and depends_on; its description carries characters XML must escape.
const graphDoc = `{"format": 1, "name": "graphed", "description": "Tags <b> & \"quotes\"",
	"locals": [{"name": "greeting", "value": {"literal": "a <b> & \"c\""}}],
	"data": [{"type": "terraform_remote_state", "name": "net", "config": {"backend": {"literal": "local"}}}],
	"resources": [
		{"type": "terraform_data", "name": "base", "config": {"input": {"ref": "local.greeting"}}},
		{"type": "terraform_data", "name": "web", "depends_on": ["terraform_data.base"],
			"config": {"input": {"ref": "data.terraform_remote_state.net.outputs"}}}
	]}`

// svgSummary is what the tests read back from a graph: parsed with encoding/xml, so a
// graph that is not well-formed XML fails here.
type svgSummary struct {
	title, desc string
	viewBox     string
	links       map[string]string // data-address → href of each <a>
	locals      []string          // data-address of each <g> node
	arrows      int               // paths with an arrow head
	rects       []box
}

type box struct{ x, y, w, h int }

func parseSVG(t *testing.T, body []byte) svgSummary {
	t.Helper()
	s := svgSummary{links: map[string]string{}}
	dec := xml.NewDecoder(bytes.NewReader(body))
	var stack []string
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the graph is not XML: %v\n%s", err, body)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name.Local)
			text.Reset()
			attr := func(name string) string {
				for _, a := range tok.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			switch tok.Name.Local {
			case "svg":
				s.viewBox = attr("viewBox")
			case "a":
				s.links[attr("data-address")] = attr("href")
			case "g":
				if a := attr("data-address"); a != "" {
					s.locals = append(s.locals, a)
				}
			case "path":
				if attr("marker-end") != "" {
					s.arrows++
				}
			case "rect":
				n := func(name string) int {
					v, err := strconv.Atoi(attr(name))
					if err != nil {
						t.Fatalf("rect %s=%q: %v", name, attr(name), err)
					}
					return v
				}
				s.rects = append(s.rects, box{n("x"), n("y"), n("width"), n("height")})
			}
		case xml.CharData:
			text.Write(tok)
		case xml.EndElement:
			if len(stack) == 2 && stack[0] == "svg" {
				switch tok.Name.Local {
				case "title":
					s.title = text.String()
				case "desc":
					s.desc = text.String()
				}
			}
			stack = stack[:len(stack)-1]
		}
	}
	return s
}

func TestGraph(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	a.ImportDoc("team", graphDoc, "")

	w := a.Get(paths.Graph("team", "graphed", 1), false)
	webtest.WantStatus(t, w, http.StatusOK)
	if ct := w.Header().Get("Content-Type"); ct != "image/svg+xml" {
		t.Errorf("Content-Type %q, want image/svg+xml", ct)
	}
	got := parseSVG(t, w.Body.Bytes())

	wantLinks := map[string]string{
		"data.terraform_remote_state.net": paths.EditItem("team", "graphed", "data.terraform_remote_state.net"),
		"terraform_data.base":             paths.EditItem("team", "graphed", "terraform_data.base"),
		"terraform_data.web":              paths.EditItem("team", "graphed", "terraform_data.web"),
	}
	if diff := cmp.Diff(wantLinks, got.links); diff != "" {
		t.Errorf("node links (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"local.greeting"}, got.locals); diff != "" {
		t.Errorf("locals (-want +got):\n%s", diff)
	}
	b, err := blueprint.ParseDocument([]byte(graphDoc))
	if err != nil {
		t.Fatal(err)
	}
	_, deps := blueprint.Dependencies(b)
	if len(deps) != 3 || got.arrows != len(deps) {
		t.Errorf("%d arrows for %d dependencies (%v), want one each of 3", got.arrows, len(deps), deps)
	}

	t.Run("escapes text", func(t *testing.T) {
		if want := `Tags <b> & "quotes"`; got.desc != want {
			t.Errorf("desc %q, want %q", got.desc, want)
		}
		if got.title != "Dependency graph of graphed" {
			t.Errorf("title %q", got.title)
		}
		if raw := w.Body.String(); strings.Contains(raw, "<b>") || strings.Contains(raw, `& "`) {
			t.Errorf("the description is not escaped:\n%s", raw)
		}
	})

	t.Run("same bytes every time", func(t *testing.T) {
		again := a.Get(paths.Graph("team", "graphed", 1), false)
		if !bytes.Equal(again.Body.Bytes(), w.Body.Bytes()) {
			t.Errorf("two requests for the same graph differ")
		}
	})

	t.Run("shown on the blueprint page", func(t *testing.T) {
		doc := webtest.WantFullPage(t, a.Get(paths.Blueprint("team", "graphed"), false))
		img := webtest.ByTestID(doc, "graph").Find("img")
		if img.Length() != 1 || img.AttrOr("src", "") != paths.Graph("team", "graphed", 1) || img.AttrOr("alt", "") == "" {
			t.Errorf("the page shows the graph as %d images, src %q alt %q", img.Length(), img.AttrOr("src", ""), img.AttrOr("alt", ""))
		}
		if href := webtest.ByTestID(doc, "graph-link").AttrOr("href", ""); href != paths.Graph("team", "graphed", 1) {
			t.Errorf("graph link %q", href)
		}
	})

	t.Run("unknown version is not found", func(t *testing.T) {
		for _, path := range []string{
			paths.Graph("team", "graphed", 9),
			paths.Version("team", "graphed", 1)[:len(paths.Version("team", "graphed", 1))-1] + "x/graph.svg",
			paths.Graph("team", "nope", 1),
		} {
			webtest.WantStatus(t, a.Get(path, false), http.StatusNotFound)
		}
	})
}

func TestGraphSVGEmpty(t *testing.T) {
	t.Parallel()
	body, err := blueprints.GraphSVG(&blueprint.Blueprint{Name: "empty"}, func(a string) string { return "/p?item=" + a })
	if err != nil {
		t.Fatal(err)
	}
	got := parseSVG(t, body)
	if len(got.links) != 0 || got.arrows != 0 || !strings.Contains(string(body), "No resources") {
		t.Errorf("an empty blueprint's graph:\n%s", body)
	}
}

// TestGraphSVGLarge checks that 150 resources in a few long layers neither overlap nor
// leave the viewBox.
func TestGraphSVGLarge(t *testing.T) {
	t.Parallel()
	b := &blueprint.Blueprint{Name: "large"}
	for i := range 150 {
		r := blueprint.Resource{Mode: blueprint.ManagedMode, Type: "terraform_data", Name: fmt.Sprintf("r%03d", i)}
		if i >= 10 {
			// Each refers to one of the ten before it: fifteen layers of ten.
			r.Config.Attributes = []blueprint.Attribute{{Name: "input", Value: blueprint.Ref(fmt.Sprintf("terraform_data.r%03d.id", i-10))}}
		}
		if i%7 == 0 && i > 20 {
			r.DependsOn = []string{fmt.Sprintf("terraform_data.r%03d", i-21)}
		}
		b.Resources = append(b.Resources, r)
	}
	body, err := blueprints.GraphSVG(b, func(a string) string { return "/p?item=" + a })
	if err != nil {
		t.Fatal(err)
	}
	got := parseSVG(t, body)
	_, deps := blueprint.Dependencies(b)
	if len(got.links) != 150 || len(got.rects) != 150 || got.arrows != len(deps) {
		t.Fatalf("%d links, %d boxes, %d arrows for 150 resources and %d dependencies", len(got.links), len(got.rects), got.arrows, len(deps))
	}
	var vw, vh int
	if _, err := fmt.Sscanf(got.viewBox, "0 0 %d %d", &vw, &vh); err != nil {
		t.Fatalf("viewBox %q: %v", got.viewBox, err)
	}
	for i, r := range got.rects {
		if r.x < 0 || r.y < 0 || r.x+r.w > vw || r.y+r.h > vh {
			t.Errorf("box %v leaves the viewBox %q", r, got.viewBox)
		}
		for _, q := range got.rects[i+1:] {
			if r.x < q.x+q.w && q.x < r.x+r.w && r.y < q.y+q.h && q.y < r.y+r.h {
				t.Errorf("boxes %v and %v overlap", r, q)
			}
		}
	}
	again, _ := blueprints.GraphSVG(b, func(a string) string { return "/p?item=" + a })
	if !bytes.Equal(again, body) {
		t.Errorf("two drawings of the same blueprint differ")
	}
}
