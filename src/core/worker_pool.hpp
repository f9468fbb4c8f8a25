// A few threads that stay for the life of the process and run one job at a time, all of
// them at once: the batch handler's workers. Kept rather than started per batch because
// starting and ending ten threads for every invocation cost more CPU than the messages'
// own work (clone, stack mmap and munmap, per-thread set-up in the libraries).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

namespace ssc::core {

class WorkerPool {
 public:
  // At most `max_helpers` threads, started when a job first asks for them.
  explicit WorkerPool(std::size_t max_helpers) : max_helpers_(max_helpers) {}
  // Stops and joins every thread (a job in progress is finished first).
  ~WorkerPool() = default;
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `job` on the calling thread and on up to `helpers` pool threads at once, and
  // returns when every run of it has returned. `job` must not throw. A helper that has not
  // picked the job up by the time the calling thread's run returns is not given it: the
  // job is expected to share its work out (e.g. an atomic index), so there is none left.
  // Fewer helpers than asked run it when threads cannot be started. Only the threads asked
  // for are woken; the others sleep on. One job at a time:
  // concurrent callers wait for each other (run_mutex_), and the hand-over to the threads is
  // guarded by mutex_, which threads_started() takes too.
  void run(std::size_t helpers, const std::function<void()>& job);

  [[nodiscard]] std::size_t threads_started();

 private:
  void serve(const std::stop_token& stop);
  void start_threads(std::size_t wanted);

  const std::size_t max_helpers_;
  std::mutex run_mutex_;  // one job at a time
  std::mutex mutex_;
  std::condition_variable_any job_posted_;
  std::condition_variable job_done_;
  const std::function<void()>* job_ = nullptr;
  std::size_t unclaimed_ = 0;  // helpers asked for the current job and not yet in it
  std::size_t running_ = 0;    // helpers in the current job
  // Last: joined (by jthread's destructor, after a stop request) before the rest goes.
  std::vector<std::jthread> threads_;
};

}  // namespace ssc::core
