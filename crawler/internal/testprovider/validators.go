package main

import (
	"context"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// The validators give testprov_widget checks in the provider's code, which only the
// provider knows (its schema does not say them), so a check that runs the real provider
// has something to find. Unknown and null values pass: they are checked when known.

// matches is a string that must match a regular expression.
type matches struct{ re *regexp.Regexp }

func (v matches) Description(context.Context) string {
	return "value must match " + v.re.String()
}

func (v matches) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v matches) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if s := req.ConfigValue.ValueString(); !v.re.MatchString(s) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Attribute Value Match",
			fmt.Sprintf("Attribute %s value must match %s, got: %q", req.Path, v.re, s))
	}
}

// oneOf is a string that must be one of a few values.
type oneOf []string

func (v oneOf) Description(context.Context) string {
	return "value must be one of " + strings.Join(v, ", ")
}

func (v oneOf) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v oneOf) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if s := req.ConfigValue.ValueString(); !slices.Contains(v, s) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Attribute Value Match",
			fmt.Sprintf("Attribute %s value must be one of: %s, got: %q", req.Path, strings.Join(v, ", "), s))
	}
}

// between is a number from min to max, both included.
type between struct{ min, max int64 }

func (v between) Description(context.Context) string {
	return fmt.Sprintf("value must be between %d and %d", v.min, v.max)
}

func (v between) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v between) ValidateNumber(_ context.Context, req validator.NumberRequest, resp *validator.NumberResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	n := req.ConfigValue.ValueBigFloat()
	if n.Cmp(big.NewFloat(float64(v.min))) < 0 || n.Cmp(big.NewFloat(float64(v.max))) > 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Attribute Value",
			fmt.Sprintf("Attribute %s value must be between %d and %d, got: %s", req.Path, v.min, v.max, n.Text('g', -1)))
	}
}
