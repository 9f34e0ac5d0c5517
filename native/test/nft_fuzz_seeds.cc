// Writes the nf_tables golden messages (nft_golden.h) as seed inputs for the libFuzzer target, one
// message per file, so that fuzzing starts from real tables, chains, rules and generations instead
// of having to discover the nfnetlink message types by chance. Used by scripts/fuzz.sh.
#include <linux/netlink.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "nft_golden.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const std::vector<const std::vector<uint8_t>*> sources = {&nft_golden::kReplyGen,
                                                            &nft_golden::kReplyTables,
                                                            &nft_golden::kReplyChains,
                                                            &nft_golden::kReplyRules,
                                                            &nft_golden::kRuleDnatIp6,
                                                            &nft_golden::kRuleSnatRanges,
                                                            &nft_golden::kRuleAddAfter,
                                                            &nft_golden::kRuleJump,
                                                            &nft_golden::kNewChainForward,
                                                            &nft_golden::kRuleSnatBitwise,
                                                            &nft_golden::kRuleInetEstablished,
                                                            &nft_golden::kReplySets,
                                                            &nft_golden::kNewElemAddrIp6,
                                                            &nft_golden::kRuleDnatMapAddr};
  int n = 0;
  for (const std::vector<uint8_t>* src : sources) {
    size_t at = 0;
    while (src->size() - at >= NLMSG_HDRLEN) {
      nlmsghdr h;
      std::memcpy(&h, src->data() + at, sizeof h);
      if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > src->size() - at) break;
      std::string path = std::string(argv[1]) + "/nft-seed-" + std::to_string(n++);
      FILE* f = std::fopen(path.c_str(), "wb");
      if (!f) return 1;
      std::fwrite(src->data() + at, 1, h.nlmsg_len, f);
      std::fclose(f);
      at += NLMSG_ALIGN(h.nlmsg_len);
    }
  }
  return 0;
}
