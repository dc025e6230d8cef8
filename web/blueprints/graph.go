package blueprints

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// The graph is laid out in columns, one per layer, dependencies on the left. Sizes are in
// SVG user units; text is monospace, so a label's width is its length times charWidth.
const (
	graphMargin    = 16
	graphCharWidth = 8 // a 12px monospace glyph is about 7.2 wide; round up so text fits
	graphPadX      = 10
	graphBoxHeight = 28
	graphRowGap    = 12
	graphColGap    = 72
	graphLocalH    = 22
)

// showGraph answers GET .../versions/{version}/graph.svg: the version's dependency graph as
// an SVG image. Resources and data sources are boxes that link to their place on the
// blueprint page; locals are drawn too, as small ellipses without a link, so every
// reference through a local stays visible and the arrows match blueprint.Dependencies
// one for one. Arrows point from a node to what it refers to, as in `terraform graph`.
// Columns are layers: a node's layer is the longest path from a node with no dependencies,
// so everything a node refers to is drawn left of it; within a column nodes keep the
// creation order of blueprint.Dependencies.
func (s *Handlers) showGraph(w http.ResponseWriter, r *http.Request) error {
	v, name, err := s.versionOf(r)
	if err != nil {
		return err
	}
	b, err := blueprint.ParseDocument(v.Document)
	if err != nil {
		s.frame.ErrorPage(w, r, http.StatusUnprocessableEntity, page.ErrorProps{
			Title:   "This version cannot be drawn",
			Message: page.Capitalize(fmt.Sprintf("reading the stored document: %v", err)),
		})
		return nil
	}
	project := r.PathValue("project")
	body, err := graphSVG(b, func(addr string) string { return paths.EditItem(project, name, addr) })
	if err != nil {
		return fmt.Errorf("drawing the graph of %s v%d: %w", name, v.Version, err)
	}
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
	return nil
}

// graphNode is one drawn node with its place.
type graphNode struct {
	addr     string
	kind     string // resource, data, local, module
	layer    int
	x, y     int
	w, h     int
	refersTo []string
}

// graphSVG draws b's dependency graph; link is the URL each resource and data source node
// opens (the editor on that item). The output depends only on b and link, so the same
// blueprint gives the same bytes.
func graphSVG(b *blueprint.Blueprint, link func(addr string) string) ([]byte, error) {
	nodes, edges := blueprint.Dependencies(b)
	doc := svgDoc{
		XMLNS: "http://www.w3.org/2000/svg",
		Role:  "img",
		Title: "Dependency graph of " + b.Name,
		Desc:  b.Description,
	}
	if len(nodes) == 0 {
		doc.Width, doc.Height = 240, 60
		doc.Texts = []svgText{{X: 120, Y: 35, Anchor: "middle", FontFamily: "sans-serif", FontSize: 14, Fill: "#666", Text: "No resources"}}
		return marshalSVG(doc)
	}

	byAddr := make(map[string]*graphNode, len(nodes))
	layout := make([]*graphNode, len(nodes))
	for i, addr := range nodes {
		n := &graphNode{addr: addr, kind: nodeKind(addr)}
		layout[i] = n
		byAddr[addr] = n
	}
	for _, e := range edges {
		byAddr[e.From].refersTo = append(byAddr[e.From].refersTo, e.To)
	}
	// Nodes come in creation order, so a node's dependencies are placed before it and one
	// pass gives each the longest path from a node with no dependencies. A dependency not
	// yet placed is part of a cycle and does not push the node right.
	placed := map[string]bool{}
	var columns [][]*graphNode
	for _, n := range layout {
		for _, d := range n.refersTo {
			if placed[d] {
				n.layer = max(n.layer, byAddr[d].layer+1)
			}
		}
		placed[n.addr] = true
		for len(columns) <= n.layer {
			columns = append(columns, nil)
		}
		columns[n.layer] = append(columns[n.layer], n)
	}

	x, height, rows := graphMargin, 0, 0
	colX, colW := make([]int, len(columns)), make([]int, len(columns))
	for i, col := range columns {
		rows = max(rows, len(col))
		width := 0
		for _, n := range col {
			n.w = len(n.addr)*graphCharWidth + 2*graphPadX
			width = max(width, n.w)
		}
		y := graphMargin
		for _, n := range col {
			n.h = graphBoxHeight
			if n.kind == "local" {
				n.h = graphLocalH
			}
			// Centre the node in its row so locals line up with boxes beside them.
			n.x, n.y = x+(width-n.w)/2, y+(graphBoxHeight-n.h)/2
			y += graphBoxHeight + graphRowGap
		}
		height = max(height, y-graphRowGap+graphMargin)
		colX[i], colW[i] = x, width
		x += width + graphColGap
	}
	route := edgeRouter{colX: colX, colW: colW, rows: rows}
	doc.Width, doc.Height = x-graphColGap+graphMargin, height

	doc.Defs = &svgDefs{Marker: svgMarker{
		ID: "arrow", ViewBox: "0 0 10 10", RefX: 10, RefY: 5, Width: 8, Height: 8, Orient: "auto",
		Path: svgPath{D: "M0,0 L10,5 L0,10 z", Fill: "#555"},
	}}
	// Edges first, so nodes are drawn over them.
	var edgeGroup, nodeGroup = svgGroup{Class: "edges"}, svgGroup{Class: "nodes"}
	for _, e := range edges {
		edgeGroup.Paths = append(edgeGroup.Paths, svgPath{
			D:    route.path(byAddr[e.From], byAddr[e.To]),
			Fill: "none", Stroke: "#555", StrokeWidth: "1.2", MarkerEnd: "url(#arrow)",
			Title: e.From + " refers to " + e.To,
		})
	}
	for _, n := range layout {
		nodeGroup.Nodes = append(nodeGroup.Nodes, drawNode(n, link))
	}
	doc.Groups = []svgGroup{edgeGroup, nodeGroup}
	return marshalSVG(doc)
}

// edgeRouter draws an edge from the left side of a node to the right side of the node it
// refers to. An edge that skips layers crosses each column between it in the gap between
// two rows, so it never runs behind a box and seems to touch a node it does not.
type edgeRouter struct {
	colX, colW []int
	rows       int // the most rows in any column
}

func (r edgeRouter) path(from, to *graphNode) string {
	x1, y1 := from.x, from.y+from.h/2
	x2, y2 := to.x+to.w, to.y+to.h/2
	var d strings.Builder
	fmt.Fprintf(&d, "M%d,%d", x1, y1)
	curve := func(xa, ya, xb, yb int) { // horizontal at both ends, xa right of xb
		bend := max((xa-xb)/2, graphColGap/2)
		fmt.Fprintf(&d, " C%d,%d %d,%d %d,%d", xa-bend, ya, xb+bend, yb, xb, yb)
	}
	x, y := x1, y1
	for l := from.layer - 1; l > to.layer; l-- {
		// The gap nearest where a straight line would cross this column.
		mid := r.colX[l] + r.colW[l]/2
		straight := float64(y1) + float64(y2-y1)*float64(mid-x1)/float64(x2-x1)
		k := int(math.Round((straight - graphMargin + graphRowGap/2) / (graphBoxHeight + graphRowGap)))
		k = min(max(k, 0), r.rows)
		gy := graphMargin + k*(graphBoxHeight+graphRowGap) - graphRowGap/2
		curve(x, y, r.colX[l]+r.colW[l], gy)
		fmt.Fprintf(&d, " L%d,%d", r.colX[l], gy)
		x, y = r.colX[l], gy
	}
	curve(x, y, x2, y2)
	return d.String()
}

func nodeKind(addr string) string {
	switch {
	case strings.HasPrefix(addr, "local."):
		return "local"
	case strings.HasPrefix(addr, "data."):
		return "data"
	case strings.HasPrefix(addr, "module."):
		return "module"
	}
	return "resource"
}

func drawNode(n *graphNode, link func(string) string) svgNode {
	title := n.addr
	if len(n.refersTo) > 0 {
		title += "\nrefers to " + strings.Join(n.refersTo, ", ")
	}
	text := svgText{
		X: n.x + n.w/2, Y: n.y + n.h/2 + 4, Anchor: "middle",
		FontFamily: "monospace", FontSize: 12, Fill: "#1a1a1a", Text: n.addr,
	}
	switch n.kind {
	case "local":
		text.FontSize, text.Fill = 11, "#555"
		return svgNode{
			XMLName: xml.Name{Local: "g"}, Class: "node local", Address: n.addr, Title: title,
			Ellipse: &svgEllipse{CX: n.x + n.w/2, CY: n.y + n.h/2, RX: n.w / 2, RY: n.h / 2, Fill: "#f4f4f4", Stroke: "#999", Dash: "3 2"},
			Text:    text,
		}
	case "data":
		return svgNode{
			XMLName: xml.Name{Local: "a"}, Href: link(n.addr), Class: "node data", Address: n.addr, Title: title,
			Rect: &svgRect{X: n.x, Y: n.y, W: n.w, H: n.h, R: 14, Fill: "#eef6ff", Stroke: "#3b74c4", Dash: "5 3"},
			Text: text,
		}
	case "module":
		// A module call opens the editor's module calls.
		return svgNode{
			XMLName: xml.Name{Local: "a"}, Href: link(n.addr), Class: "node module", Address: n.addr, Title: title,
			Rect: &svgRect{X: n.x, Y: n.y, W: n.w, H: n.h, R: 4, Fill: "#f1edfb", Stroke: "#6a4fb3"},
			Text: text,
		}
	}
	return svgNode{
		XMLName: xml.Name{Local: "a"}, Href: link(n.addr), Class: "node resource", Address: n.addr, Title: title,
		Rect: &svgRect{X: n.x, Y: n.y, W: n.w, H: n.h, R: 4, Fill: "#fff7e8", Stroke: "#c4802b"},
		Text: text,
	}
}

// marshalSVG writes doc through encoding/xml, which escapes every name and text it carries.
func marshalSVG(doc svgDoc) ([]byte, error) {
	doc.ViewBox = fmt.Sprintf("0 0 %d %d", doc.Width, doc.Height)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// The SVG's elements. Styling is in presentation attributes rather than a <style> element,
// which the Content-Security-Policy (style-src 'self') would block when the SVG is opened
// on its own.
type svgDoc struct {
	XMLName xml.Name   `xml:"svg"`
	XMLNS   string     `xml:"xmlns,attr"`
	Width   int        `xml:"width,attr"`
	Height  int        `xml:"height,attr"`
	ViewBox string     `xml:"viewBox,attr"`
	Role    string     `xml:"role,attr"`
	Title   string     `xml:"title"`
	Desc    string     `xml:"desc,omitempty"`
	Defs    *svgDefs   `xml:"defs,omitempty"`
	Groups  []svgGroup `xml:"g"`
	Texts   []svgText  `xml:"text"`
}

type svgDefs struct {
	Marker svgMarker `xml:"marker"`
}

type svgMarker struct {
	ID      string  `xml:"id,attr"`
	ViewBox string  `xml:"viewBox,attr"`
	RefX    int     `xml:"refX,attr"`
	RefY    int     `xml:"refY,attr"`
	Width   int     `xml:"markerWidth,attr"`
	Height  int     `xml:"markerHeight,attr"`
	Orient  string  `xml:"orient,attr"`
	Path    svgPath `xml:"path"`
}

// svgGroup is a <g>: the edges' paths, or the nodes.
type svgGroup struct {
	Class string    `xml:"class,attr,omitempty"`
	Paths []svgPath `xml:"path"`
	Nodes []svgNode `xml:",any"`
}

type svgPath struct {
	D           string `xml:"d,attr"`
	Fill        string `xml:"fill,attr,omitempty"`
	Stroke      string `xml:"stroke,attr,omitempty"`
	StrokeWidth string `xml:"stroke-width,attr,omitempty"`
	MarkerEnd   string `xml:"marker-end,attr,omitempty"`
	Class       string `xml:"class,attr,omitempty"`
	Title       string `xml:"title,omitempty"`
}

// svgNode is an <a> for a node that links somewhere, a <g> otherwise.
type svgNode struct {
	XMLName xml.Name
	Href    string      `xml:"href,attr,omitempty"`
	Class   string      `xml:"class,attr"`
	Address string      `xml:"data-address,attr"`
	Title   string      `xml:"title"`
	Rect    *svgRect    `xml:"rect,omitempty"`
	Ellipse *svgEllipse `xml:"ellipse,omitempty"`
	Text    svgText     `xml:"text"`
}

type svgRect struct {
	X      int    `xml:"x,attr"`
	Y      int    `xml:"y,attr"`
	W      int    `xml:"width,attr"`
	H      int    `xml:"height,attr"`
	R      int    `xml:"rx,attr"`
	Fill   string `xml:"fill,attr"`
	Stroke string `xml:"stroke,attr"`
	Dash   string `xml:"stroke-dasharray,attr,omitempty"`
}

type svgEllipse struct {
	CX     int    `xml:"cx,attr"`
	CY     int    `xml:"cy,attr"`
	RX     int    `xml:"rx,attr"`
	RY     int    `xml:"ry,attr"`
	Fill   string `xml:"fill,attr"`
	Stroke string `xml:"stroke,attr"`
	Dash   string `xml:"stroke-dasharray,attr,omitempty"`
}

type svgText struct {
	X          int    `xml:"x,attr"`
	Y          int    `xml:"y,attr"`
	Anchor     string `xml:"text-anchor,attr,omitempty"`
	FontFamily string `xml:"font-family,attr,omitempty"`
	FontSize   int    `xml:"font-size,attr,omitempty"`
	Fill       string `xml:"fill,attr,omitempty"`
	Text       string `xml:",chardata"`
}
