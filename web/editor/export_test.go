package editor

// Internals the external tests of this package read.
const MaxEditFormBytes = maxEditFormBytes

// ItemOps are the ops an item's form has buttons for.
var ItemOps = itemOps
