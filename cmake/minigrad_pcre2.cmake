# PCRE2 (8-bit code units) for minigrad_llm's pre-tokeniser, as the imported target
# minigrad::pcre2. One rule for both sides: CMakeLists.txt includes this file, and so does
# the installed minigradConfig.cmake (an installed static minigrad_llm still needs it at link time).
# Not a general FindPCRE2: only the header and library Debian's libpcre2-dev provides.
if(NOT TARGET minigrad::pcre2)
  find_path(MINIGRAD_PCRE2_INCLUDE pcre2.h)
  find_library(MINIGRAD_PCRE2_LIB pcre2-8)
  if(MINIGRAD_PCRE2_INCLUDE AND MINIGRAD_PCRE2_LIB)
    add_library(minigrad::pcre2 UNKNOWN IMPORTED)
    set_target_properties(minigrad::pcre2 PROPERTIES
      IMPORTED_LOCATION "${MINIGRAD_PCRE2_LIB}"
      INTERFACE_INCLUDE_DIRECTORIES "${MINIGRAD_PCRE2_INCLUDE}")
  endif()
endif()
