# Embedding files into the binary: SQL migrations and compiled message
# catalogs become C arrays at build time, so the `shiken` binary is one file
# that needs nothing beside it.

set(SHIKEN_EMBED_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/embed_run.cmake")

# shiken_embed(OUTPUT out.c SYMBOL name FILES f1 f2 ...)
# Writes out.c defining `const struct sk_embedded name[]` (name, bytes, size),
# terminated by a zero entry, sorted as the files are given.
function(shiken_embed)
  cmake_parse_arguments(E "" "OUTPUT;SYMBOL" "FILES" ${ARGN})
  add_custom_command(
    OUTPUT "${E_OUTPUT}"
    COMMAND ${CMAKE_COMMAND} "-DOUTPUT=${E_OUTPUT}" "-DSYMBOL=${E_SYMBOL}"
            "-DFILES=${E_FILES}" -P "${SHIKEN_EMBED_SCRIPT}"
    DEPENDS ${E_FILES} "${SHIKEN_EMBED_SCRIPT}"
    COMMENT "Embedding ${E_SYMBOL}"
    VERBATIM)
endfunction()
