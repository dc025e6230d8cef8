package blueprints

// Internals the external tests of this package call.
var GraphSVG = graphSVG

const ShaPrefix = shaPrefix
