package io.sluice.libbpf;

/** Constants of {@code <errno.h>} (Linux, x86_64 and aarch64 agree) that sluice tests for. */
public final class errno_h {
    private errno_h() {}

    public static int EPERM() { return 1; }
    public static int ENOENT() { return 2; }
    public static int EINTR() { return 4; }
    public static int EBADF() { return 9; }
    public static int EAGAIN() { return 11; }
    /** Same value as EAGAIN on Linux. */
    public static int EWOULDBLOCK() { return 11; }
    public static int ENOMEM() { return 12; }
    public static int EACCES() { return 13; }
    public static int EEXIST() { return 17; }
    public static int EINVAL() { return 22; }
    public static int E2BIG() { return 7; }
    public static int ENOSPC() { return 28; }
    public static int ENOPROTOOPT() { return 92; }
    public static int EOPNOTSUPP() { return 95; }
    public static int ENOTSUPP() { return 524; }
}
