/* wintext, Windows: UTF-8 <-> UTF-16 at the Win32 API boundary and the
 * system's message for an error code, shared by every *_win32.c module. */
#include "wintext.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <windows.h>

/* Is text well-formed UTF-8 (no overlong forms, surrogates or code points
 * past U+10FFFF)? Checked here because NT 4.0 and Windows 2000 take no flags
 * with CP_UTF8 (KB Q175392; MSDN April 2000, MultiByteToWideChar: "When this
 * is set, dwFlags must be zero"), so MB_ERR_INVALID_CHARS cannot do it. */
static bool utf8_valid(const unsigned char *s)
{
	while (*s) {
		enum { INVALID_LEAD = 4 };
		unsigned c = *s, extra = c < 0x80             ? 0
		                         : (c & 0xE0) == 0xC0 ? 1
		                         : (c & 0xF0) == 0xE0 ? 2
		                         : (c & 0xF8) == 0xF0 ? 3
		                                              : INVALID_LEAD;
		if (extra == INVALID_LEAD)
			return false;
		unsigned long cp = extra ? c & (0x3Fu >> extra) : c;
		for (unsigned i = 1; i <= extra; i++) {
			if ((s[i] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3Fu);
		}
		static const unsigned long least[] = {0, 0x80, 0x800, 0x10000};
		if (cp < least[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		s += extra + 1;
	}
	return true;
}

bool win_to_wide(const char *text, wchar_t *out, size_t cap)
{
	if (cap == 0)
		return false;
	out[0] = L'\0';
	if (cap > INT_MAX)
		cap = INT_MAX;
	UINT code_page = utf8_valid((const unsigned char *)text) ? CP_UTF8 : CP_ACP;
	if (MultiByteToWideChar(code_page, 0, text, -1, out, (int)cap) == 0) {
		out[0] = L'\0';
		return false;
	}
	return true;
}

bool win_from_wide(const wchar_t *text, char *out, size_t cap)
{
	if (cap == 0)
		return false;
	if (cap > INT_MAX)
		cap = INT_MAX;
	if (WideCharToMultiByte(CP_UTF8, 0, text, -1, out, (int)cap, NULL, NULL) == 0) {
		out[0] = '\0';
		return false;
	}
	return true;
}

size_t win_error_message(unsigned long code, char *buf, size_t cap)
{
	wchar_t wide[512];
	DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
	                         (DWORD)code, 0, wide, sizeof wide / sizeof wide[0], NULL);
	if (n == 0 || !win_from_wide(wide, buf, cap))
		snprintf(buf, cap, "Win32 error %lu", code);
	/* One line, no trailing period or blanks. */
	for (char *p = buf; *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	size_t len = strlen(buf);
	while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '.'))
		buf[--len] = '\0';
	return len;
}

size_t win_sid_text(void *sid, char *buf, size_t cap)
{
	if (!sid || !IsValidSid(sid)) {
		snprintf(buf, cap, "an invalid SID");
		return strlen(buf);
	}
	/* S-Revision-Authority-Sub1-Sub2...: the 48-bit authority in decimal when
	 * it fits 32 bits, else in hex (as ConvertSidToStringSid writes it). */
	const SID_IDENTIFIER_AUTHORITY *a = GetSidIdentifierAuthority(sid);
	unsigned long long authority = 0;
	for (size_t i = 0; i < sizeof a->Value; i++)
		authority = (authority << 8) | a->Value[i];
	size_t len = (size_t)snprintf(buf, cap, authority >> 32 ? "S-%u-0x%012llX" : "S-%u-%llu",
	                              (unsigned)((SID *)sid)->Revision, authority);
	DWORD count = *GetSidSubAuthorityCount(sid);
	for (DWORD i = 0; i < count && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "-%lu",
		                        (unsigned long)*GetSidSubAuthority(sid, i));
	return len < cap ? len : cap - 1;
}

/* mingw-w64's own mbrtowc and mbsrtowcs (its printf's %ls and popt's help
 * pull them in) ask kernel32's IsDBCSLeadByteEx, which no archived
 * documentation shows on NT 4.0. This definition of the import's pointer
 * answers for it, so that no program imports it: a lead byte is one inside
 * the code page's lead-byte ranges, from GetCPInfo (NT 3.1: MSDN April 2000,
 * GetCPInfo, "Requires Windows NT 3.1 or later"). Every program that links
 * this module gets it; tests/win2000/check-imports-nt4.sh proves the rest. */
static BOOL WINAPI lead_byte_in_code_page(UINT code_page, BYTE c)
{
	CPINFO info;
	if (!GetCPInfo(code_page, &info))
		return FALSE;
	for (int i = 0; i + 1 < MAX_LEADBYTES && info.LeadByte[i]; i += 2)
		if (c >= info.LeadByte[i] && c <= info.LeadByte[i + 1])
			return TRUE;
	return FALSE;
}
#ifdef _WIN64
#define IMPORT_POINTER_NAME "__imp_IsDBCSLeadByteEx"
#else
#define IMPORT_POINTER_NAME "__imp__IsDBCSLeadByteEx@8"
#endif
BOOL(WINAPI *const lead_byte_import)(UINT, BYTE) __asm__(IMPORT_POINTER_NAME) = lead_byte_in_code_page;
