#include "core/worker_pool.hpp"

#include <algorithm>
#include <exception>

#include "log/log.hpp"

namespace ssc::core {

void WorkerPool::run(std::size_t helpers, const std::function<void()>& job) {
  const std::lock_guard one_job(run_mutex_);
  helpers = std::min(helpers, max_helpers_);
  start_threads(helpers);
  std::size_t asked = 0;
  {
    const std::lock_guard lock(mutex_);
    job_ = &job;
    unclaimed_ = asked = std::min(helpers, threads_.size());
  }
  // Only as many threads as asked are woken: the pool keeps the threads of the largest batch
  // so far, and waking one for nothing costs a switch to it and back (issue #17).
  for (std::size_t woken = 0; woken < asked; ++woken) job_posted_.notify_one();
  job();
  std::unique_lock lock(mutex_);
  // The job's work is all taken once the caller's own run ends: a helper still waking up
  // would find none, so it is not worth waiting for.
  unclaimed_ = 0;
  job_done_.wait(lock, [&] { return running_ == 0; });
  job_ = nullptr;
}

std::size_t WorkerPool::threads_started() {
  const std::lock_guard lock(mutex_);
  return threads_.size();
}

void WorkerPool::start_threads(std::size_t wanted) {
  const std::lock_guard lock(mutex_);
  while (threads_.size() < wanted) {
    try {
      threads_.emplace_back([this](const std::stop_token& stop) { serve(stop); });
    } catch (const std::exception& e) {
      // Fewer threads only make a batch slower: the ones running take all of it.
      log::warning("worker_pool", "Could not start another worker thread; going on with fewer",
                   {{"threads", std::to_string(threads_.size())}, {"error", e.what()}});
      return;
    }
  }
}

void WorkerPool::serve(const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (!job_posted_.wait(lock, stop, [&] { return unclaimed_ > 0; })) return;  // stopped
    --unclaimed_;
    ++running_;
    const std::function<void()>& job = *job_;
    lock.unlock();
    job();
    lock.lock();
    if (--running_ == 0) job_done_.notify_all();
  }
}

}  // namespace ssc::core
