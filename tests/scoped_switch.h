// testing::ScopedSwitch: one of minigrad's on/off switches (the block cache, gradient
// stealing) set for one scope, then put back. For the tests of those switches only.
#pragma once

namespace minigrad::testing {

// Sets an on/off switch (a getter and setter pair, e.g. block_cache_enabled and
// set_block_cache_enabled) for one scope and puts the previous setting back.
class ScopedSwitch {
 public:
  ScopedSwitch(bool (*get)(), void (*set)(bool), bool on) : set_(set), before_(get()) { set_(on); }
  ~ScopedSwitch() { set_(before_); }
  ScopedSwitch(const ScopedSwitch&) = delete;
  ScopedSwitch& operator=(const ScopedSwitch&) = delete;

 private:
  void (*set_)(bool);
  bool before_;
};

}  // namespace minigrad::testing
