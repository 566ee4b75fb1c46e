package sandbox_test

// examplesDir holds PC's documented payloads (CI clones shared/ beside main/).
const examplesDir = "../../../shared/pc-api/examples"
