/* canary: calls an API Windows 2000 lacks (GetTickCount64, Vista). The
 * import check must fail on it: proof that the check can fail. Built by
 * quickstart with _WIN32_WINNT=0x0600, never part of the product. */
#include <windows.h>

int main(void)
{
	return (int)(GetTickCount64() & 1);
}
