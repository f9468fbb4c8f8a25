// snapshot-sender-status-checker: the Lambda (a custom runtime, shipped as `bootstrap`) and
// its command line. See runtime/cli.hpp.
#include "runtime/cli.hpp"

int main(int argc, char** argv) { return ssc::runtime::run_cli(argc, argv); }
