// The container credentials endpoint's answer (ECS, EKS Pod Identity, Lambda's own):
// its status and JSON body {AccessKeyId, SecretAccessKey, Token, Expiration}, read by the
// real credentials chain, fetched twice so that the cached answer's Expiration is
// examined for a refresh too. The first byte picks the status; the rest is the body. A
// bad answer is a ConfigurationError naming the endpoint; anything else escaping is a defect.
// dictionary: dict/json.dict
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "aws/aws_error.hpp"
#include "aws/credentials.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ssc::fuzz::Input input(data, size);
  ssc::aws::HttpResponse answer;
  answer.status = ssc::fuzz::status_from(input.byte());
  answer.headers = {{"content-type", "application/json"}};
  answer.body = std::string(input.rest());

  // Loopback only: the transport answers in the endpoint's place.
  const ssc::aws::EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "AWS_CONTAINER_CREDENTIALS_FULL_URI") return "http://127.0.0.1:9/credentials";
    if (name == "AWS_CONTAINER_AUTHORIZATION_TOKEN") return "fuzz-token";
    return std::nullopt;
  };
  ssc::fuzz::AnswerTransport transport(answer, 4);
  try {
    const auto chain = ssc::aws::make_default_credentials_chain(transport, env);
    for (int round = 0; round < 2; ++round) {
      const auto credentials = chain->get();
      if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
        __builtin_trap();  // credentials are whole or a ConfigurationError
      }
    }
  } catch (const ssc::aws::ConfigurationError&) {
  }
  return 0;
}
