package catalog

import (
	"embed"
	"io/fs"
)

// The default catalog: Terraform's builtin provider and the providers crawled into this
// directory. The provider schemas are HashiCorp's, published under the Mozilla Public License
// 2.0, and are redistributed unmodified in content (see NOTICE.md).
//
//go:embed index.json registry.terraform.io terraform.io
var embedded embed.FS

// Embedded is the default catalog compiled into the binary.
func Embedded() fs.FS { return embedded }
