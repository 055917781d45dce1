/* canary-nt4: calls an API Windows NT 4.0 lacks (QueryServiceStatusEx,
 * Windows 2000). The NT 4.0 import check must fail on it: proof that it can
 * fail. Built by quickstart with _WIN32_WINNT=0x0500, never part of the
 * product. */
#include <windows.h>

int main(void)
{
	SERVICE_STATUS_PROCESS status;
	DWORD needed = 0;
	return QueryServiceStatusEx(NULL, SC_STATUS_PROCESS_INFO, (BYTE *)&status, sizeof status, &needed)
	           ? 0
	           : 1;
}
