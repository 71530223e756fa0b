/* Test-only shim for Debian 12's wine 8.0, which lacks bcryptprimitives.dll: Rust's
 * std (1.78+) imports ProcessPrng from it on Windows 10+. The real DLL exists on every
 * supported Windows; this one only lets the Windows build's tests start under wine.
 * Built by `cargo xtask` with mingw-w64 into the test WINEPREFIX, never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
