# Sanitizer and fuzzer builds (docs/testing.md). Included before any target is defined, so
# that every library, test, tool and the binary itself are built with the same flags: a
# sanitizer that sees only part of the program misses reports (ASan) or invents them (TSan).
#
#   SSC_SANITIZE   "" (default), "address,undefined" (ASan + UBSan, with LSan at exit) or
#                  "thread" (TSan). Needs clang: GCC 12 under the sanitizers reports false
#                  -Wmaybe-uninitialized inside <regex>, and warnings are errors.
#   SSC_FUZZ       ON: also instrument for coverage and build the libFuzzer targets in
#                  fuzz/ (needs SSC_SANITIZE=address,undefined).
set(SSC_SANITIZE "" CACHE STRING "Sanitizers: empty, address,undefined or thread")
option(SSC_FUZZ "Build the libFuzzer targets in fuzz/ (clang)" OFF)

if(SSC_SANITIZE OR SSC_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SSC_SANITIZE and SSC_FUZZ need clang (CXX=clang++)")
  endif()
endif()

if(SSC_SANITIZE STREQUAL "address,undefined")
  # Every UBSan report aborts instead of printing and going on, so none can pass unseen.
  set(ssc_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=all)
elseif(SSC_SANITIZE STREQUAL "thread")
  set(ssc_sanitize_flags -fsanitize=thread)
elseif(SSC_SANITIZE)
  message(FATAL_ERROR "SSC_SANITIZE must be empty, address,undefined or thread")
endif()

if(ssc_sanitize_flags)
  add_compile_options(${ssc_sanitize_flags} -fno-omit-frame-pointer)
  add_link_options(${ssc_sanitize_flags})
endif()

if(SSC_FUZZ)
  if(NOT SSC_SANITIZE STREQUAL "address,undefined")
    message(FATAL_ERROR "SSC_FUZZ needs SSC_SANITIZE=address,undefined")
  endif()
  # Coverage for libFuzzer in every library; only the fuzz targets link its main().
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# The fuzz targets, one per door (fuzz/*.cpp); called after the libraries exist.
function(ssc_fuzz_targets)
  if(NOT SSC_FUZZ)
    return()
  endif()
  file(GLOB fuzz_srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/*_fuzz.cpp)
  foreach(src ${fuzz_srcs})
    get_filename_component(fuzz_name ${src} NAME_WE)
    add_executable(${fuzz_name} ${src})
    target_link_libraries(${fuzz_name} PRIVATE ssc_runtime)
    # The doors are fuzzed where they are parsed: the AWS layer's and the adapters' internals.
    ssc_reach_detail(${fuzz_name} ssc_aws ssc_adapters)
    target_link_options(${fuzz_name} PRIVATE -fsanitize=fuzzer)
  endforeach()
endfunction()
