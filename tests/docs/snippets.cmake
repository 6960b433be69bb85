# Every ```cpp block in docs/**/*.md and README.md compiles as shown (the markers are
# described in tests/docs/check_snippets.cpp and docs/architecture.md). check_snippets
# writes each block to its own file and runs the compiler on it with -fsyntax-only; the
# step reruns only when a Markdown file or a core/nn/optim header changes, and
# minigrad_tests is not built until it passes. Included by tests/CMakeLists.txt.
add_executable(minigrad_check_snippets ${CMAKE_CURRENT_LIST_DIR}/check_snippets.cpp)
target_compile_features(minigrad_check_snippets PRIVATE cxx_std_20)

file(GLOB_RECURSE MINIGRAD_DOC_PAGES CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}
     ${PROJECT_SOURCE_DIR}/docs/*.md)
list(PREPEND MINIGRAD_DOC_PAGES README.md)
list(TRANSFORM MINIGRAD_DOC_PAGES PREPEND ${PROJECT_SOURCE_DIR}/ OUTPUT_VARIABLE MINIGRAD_DOC_PAGE_PATHS)
file(GLOB_RECURSE MINIGRAD_PUBLIC_HEADERS CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/core/*.h ${PROJECT_SOURCE_DIR}/nn/*.h ${PROJECT_SOURCE_DIR}/optim/*.h
     ${PROJECT_SOURCE_DIR}/distributed/*.h)

set(MINIGRAD_SNIPPETS_STAMP ${CMAKE_CURRENT_BINARY_DIR}/doc_snippets.stamp)
add_custom_command(
  OUTPUT ${MINIGRAD_SNIPPETS_STAMP}
  COMMAND minigrad_check_snippets ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/doc_snippets
          ${MINIGRAD_SNIPPETS_STAMP} ${CMAKE_CXX_COMPILER} ${MINIGRAD_DOC_PAGES}
  DEPENDS minigrad_check_snippets ${MINIGRAD_DOC_PAGE_PATHS} ${MINIGRAD_PUBLIC_HEADERS}
  COMMENT "Compiling the C++ snippets of the docs"
  VERBATIM)
add_custom_target(minigrad_doc_snippets DEPENDS ${MINIGRAD_SNIPPETS_STAMP})
add_dependencies(minigrad_tests minigrad_doc_snippets)
