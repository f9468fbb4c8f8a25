#include "aws/detail/uri.hpp"

#include <algorithm>
#include <cctype>

#include "aws/detail/text.hpp"

namespace ssc::aws::detail {
namespace {

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0x0f]);
    }
  }
  return out;
}

std::string uri_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::optional<UrlParts> split_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  UrlParts parts;
  parts.scheme = ascii_lower(url.substr(0, scheme_end));
  if (parts.scheme != "http" && parts.scheme != "https") return std::nullopt;

  std::string_view rest = url.substr(scheme_end + 3);
  if (rest.find('#') != std::string_view::npos) return std::nullopt;
  const auto authority_end = rest.find_first_of("/?");
  parts.authority = std::string(rest.substr(0, authority_end));
  rest = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (parts.authority.empty() || parts.authority.find('@') != std::string::npos) {
    return std::nullopt;
  }

  std::string_view host_port = parts.authority;
  std::string_view port_text;
  if (host_port.front() == '[') {  // IPv6 literal
    const auto close = host_port.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    parts.host = std::string(host_port.substr(1, close - 1));
    const std::string_view after = host_port.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
      if (port_text.empty()) return std::nullopt;
    }
  } else {
    const auto colon = host_port.find(':');
    parts.host = std::string(host_port.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = host_port.substr(colon + 1);
      if (port_text.empty()) return std::nullopt;
    }
  }
  if (parts.host.empty()) return std::nullopt;
  for (const char c : parts.host) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) == 0 && c != '-' && c != '.' && c != '_' && c != ':') return std::nullopt;
  }
  if (!port_text.empty()) {
    if (port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; })) {
      return std::nullopt;
    }
    const int port = std::stoi(std::string(port_text));
    if (port < 1 || port > 65535) return std::nullopt;
    parts.port = port;
  }

  const auto query_start = rest.find('?');
  const std::string_view path = rest.substr(0, query_start);
  parts.path = path.empty() ? std::string(1, '/') : std::string(path);
  if (query_start != std::string_view::npos)
    parts.query = std::string(rest.substr(query_start + 1));
  return parts;
}

std::string url_without_query(std::string_view url) {
  return std::string(url.substr(0, url.find_first_of("?#")));
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& parameters) {
  std::string out;
  for (const auto& [name, value] : parameters) {
    if (!out.empty()) out += '&';
    out += uri_encode(name);
    out += '=';
    out += uri_encode(value);
  }
  return out;
}

}  // namespace ssc::aws::detail
