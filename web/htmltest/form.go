package htmltest

import (
	"net/url"

	"github.com/PuerkitoBio/goquery"
)

// FormValues is what a browser submits for form: named inputs (checkboxes and radios only
// when checked), each select's selected option (or its first), and textareas. Buttons are
// left out: a test adds the op of the button it "clicks".
func FormValues(f *goquery.Selection) url.Values {
	v := url.Values{}
	f.Find("input[name], select[name], textarea[name]").Each(func(_ int, el *goquery.Selection) {
		name, _ := el.Attr("name")
		switch goquery.NodeName(el) {
		case "input":
			typ := el.AttrOr("type", "text")
			switch typ {
			case "submit", "button", "image", "reset", "file":
				return
			case "checkbox", "radio":
				if _, ok := el.Attr("checked"); !ok {
					return
				}
				v.Add(name, el.AttrOr("value", "on"))
				return
			}
			v.Add(name, el.AttrOr("value", ""))
		case "select":
			opt := el.Find("option[selected]").First()
			if opt.Length() == 0 {
				opt = el.Find("option").First()
			}
			if opt.Length() > 0 {
				v.Add(name, opt.AttrOr("value", opt.Text()))
			}
		case "textarea":
			// The HTML parser drops one leading newline of a textarea, as browsers do.
			v.Add(name, el.Text())
		}
	})
	return v
}
