/* kms_setup: run once by the KM server's administrator.
 * install registers the suite's event sources and makes the state folder
 * (SYSTEM and Administrators only); password stores the KMS password in a
 * protected Kmspwd.ini; check is the preflight; uninstall removes the
 * registrations. Windows only. options -> subcommand -> one line. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "atomicfile.h"
#include "evsource.h"
#include "exchsetup.h"
#include "fsys.h"
#include "kms.h"
#include "kmsdata.h"
#include "ledger.h"
#include "options.h"
#include "plugin.h"
#include "privacl.h"
#include "pwinput.h"
#include "secret.h"
#include "svc.h"

/* The defaults, in one place: parse() starts from them and --help shows them. */
#define DEFAULT_SERVICE KMS_SERVICE_NAME
#define DEFAULT_TIMEOUT 120 /* seconds (-t): password waits for a person typing */
#define TIMEOUT_TEXT    KMS_TEXT(DEFAULT_TIMEOUT)
/* The longest password secret.h reads, as the help and the refusals say it. */
#define PASSWORD_MAX_TEXT KMS_TEXT(SECRET_MAX)
#define COMMAND_LIST      "install, uninstall, password or check"
/* The restart ledger handle_kms_restart keeps in the state folder. */
/* What check writes (and removes) to prove the state folder writable. */
#define PROBE_FILE "kms_setup.probe"
#define PROBE_TEXT "probe\r\n"

static const char purpose[] =
    "Sets the suite up on the KM server, once, as an administrator: registers the event sources, "
    "makes the state folder, stores the KMS password, and checks that all is ready (the "
    "subcommands below).";

static const char notes[] =
    "Subcommands:\n"
    "  install    register the event sources of handle_kms_restart, kms_backup (and kms_restore when\n"
    "             it is installed) in the Application log, with this folder's programs as their\n"
    "             message files; make --state-dir with an access list of SYSTEM and Administrators.\n"
    "             Refused, with nothing changed, when --state-dir or --password-file exists and\n"
    "             others may write it (or read the password file)\n"
    "  password   read the KMS password (the KM service's startup parameter) from the console\n"
    "             without echo, or from standard input when it is not a console, and write\n"
    "             --password-file as a Kmspwd.ini ([config] pwd=...) that only SYSTEM and\n"
    "             Administrators may open, whole or not at all\n"
    "  check      the preflight, a line each: the KM service, Kmsdata and Kmsmdb.edb, the password\n"
    "             file, the state folder, the event sources; the worst is the status\n"
    "  uninstall  remove the event sources; --purge also removes the password file and the\n"
    "             restart ledger (and the state folder when it is then empty)\n"
    "\n"
    "The password is never printed, never taken as an argument and never logged. It is refused\n"
    "when empty, longer than " PASSWORD_MAX_TEXT
    " bytes (no published limit exists for the KMS password: the\n"
    "KM server's are 14 or 15 characters, KB Q151689, Q184420; " PASSWORD_MAX_TEXT
    " is what handle_kms_restart and\n"
    "kms_backup read), or when it starts or ends with a blank (Kmspwd.ini cannot keep those).\n"
    "\n"
    "Performance Optimizer (perfwiz.exe) is not checked: whether it restarts the services is a\n"
    "choice in its last dialog box (\"Do not restart these services\", article Q263718), not a\n"
    "setting that can be read. check_kms_service and handle_kms_restart watch for it running.\n"
    "\n"
    "The default timeout (-t) is " TIMEOUT_TEXT " s: long enough to type the password.\n"
    "\n"
    "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad input; nothing was changed).\n"
    "\n"
    "Examples:\n"
    "  kms_setup install --state-dir C:\\kms\\state\n"
    "  kms_setup password --password-file C:\\kms\\state\\Kmspwd.ini\n"
    "  kms_setup check --state-dir C:\\kms\\state --password-file C:\\kms\\state\\Kmspwd.ini\n"
    "  kms_setup uninstall\n";

static const struct program_info info = {
    .name = "SETUP",
    .progname = "kms_setup",
    .purpose = purpose,
    .args = "install|uninstall|password|check",
    .max_positionals = 1,
    .notes = notes,
    .default_timeout = DEFAULT_TIMEOUT,
};

/* The programs that write events, each under a source of its own name. */
static const char *const event_programs[] = {"handle_kms_restart", "kms_backup", "kms_restore"};
#define EVENT_PROGRAMS (sizeof event_programs / sizeof event_programs[0])

enum command { CMD_INSTALL, CMD_UNINSTALL, CMD_PASSWORD, CMD_CHECK };

struct config {
	enum command command;
	const char *state_dir, *password_file, *service, *kmsdata;
	char program_dir[1024];
	bool purge;
	struct common_options common;
};

/* The options as given, starting from their defaults. */
static struct {
	char *state_dir, *password_file, *service, *kmsdata, *program_dir;
	int purge;
} given = {
    .service = DEFAULT_SERVICE,
};

static const struct poptOption own[] = {
    {"state-dir", 0, POPT_ARG_STRING, &given.state_dir, 0,
     "The handlers' state folder (install, check; --purge: its ledger)", "DIR"},
    {"password-file", 0, POPT_ARG_STRING, &given.password_file, 0,
     "The protected Kmspwd.ini (password: required; install, check: judged; --purge: removed)", "FILE"},
    {"service", 0, POPT_ARG_STRING, &given.service, 0, "The KM service's name (default " DEFAULT_SERVICE ")",
     "NAME"},
    {"kmsdata", 0, POPT_ARG_STRING, &given.kmsdata, 0,
     "The Kmsdata folder check reads (default: the Exchange install folder from the registry, else "
     "C:\\exchsrvr, plus \\kmsdata)",
     "DIR"},
    {"program-dir", 0, POPT_ARG_STRING, &given.program_dir, 0,
     "Where the installed programs are, the message files of the event sources (default: this "
     "program's folder)",
     "DIR"},
    {"purge", 0, POPT_ARG_NONE, &given.purge, 0, "uninstall: also remove the password file and the ledger",
     NULL},
    POPT_TABLEEND};

static enum command parse_command(const char *word)
{
	static const char *const names[] = {"install", "uninstall", "password", "check"};
	if (!word)
		plugin_exit(STATE_UNKNOWN, "no subcommand: give " COMMAND_LIST);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(word, names[i]) == 0)
			return (enum command)i;
	plugin_exit(STATE_UNKNOWN, "unknown subcommand '%s': give " COMMAND_LIST, word);
}

/* The options each subcommand needs, and none it does not take. */
static void check_options_given(enum command command)
{
	const char *nonempty[][2] = {{"--state-dir", given.state_dir},
	                             {"--password-file", given.password_file},
	                             {"--service", given.service},
	                             {"--kmsdata", given.kmsdata},
	                             {"--program-dir", given.program_dir}};
	for (size_t i = 0; i < sizeof nonempty / sizeof nonempty[0]; i++)
		if (nonempty[i][1] && !*nonempty[i][1])
			option_fail(nonempty[i][0], "is empty");
	if (command == CMD_INSTALL && !given.state_dir)
		option_fail("--state-dir", "is required for install");
	if (command == CMD_PASSWORD && !given.password_file)
		option_fail("--password-file", "is required for password");
	if (given.purge && command != CMD_UNINSTALL)
		option_fail("--purge", "belongs to uninstall");
}

static void parse(int argc, char **argv, struct config *cfg)
{
	options_parse(argc, argv, &info, own, &cfg->common);
	cfg->command = parse_command(cfg->common.positionals[0]);
	check_options_given(cfg->command);
	cfg->state_dir = given.state_dir;
	cfg->password_file = given.password_file;
	cfg->service = given.service;
	cfg->kmsdata = given.kmsdata;
	cfg->purge = given.purge != 0;
	if (given.program_dir)
		snprintf(cfg->program_dir, sizeof cfg->program_dir, "%s", given.program_dir);
	else if (!evsource_program_dir(cfg->program_dir, sizeof cfg->program_dir))
		plugin_exit(STATE_UNKNOWN, "cannot tell this program's folder: give --program-dir");
}

/* "<program-dir>\<name>.exe" when it is there. */
static bool installed_program(const struct config *cfg, const char *name, char *path, size_t cap)
{
	char file[128], err[FSYS_ERR_MAX];
	struct fsys_info fi;
	snprintf(file, sizeof file, "%s.exe", name);
	return fsys_join(path, cap, cfg->program_dir, file) && fsys_stat(path, &fi, err) &&
	       fi.kind == FSYS_FILE;
}

/* A state folder or password file that exists and others may change (or
 * read, for the password) ends the run before anything is changed. */
static void refuse_if_open(const char *option, const char *path, bool reading_counts)
{
	char err[512];
	enum privacl_verdict v = privacl_judge(path, reading_counts, err, sizeof err);
	if (v == PRIVACL_OPEN || v == PRIVACL_ERROR)
		plugin_exit(STATE_UNKNOWN, "%s: %s: nothing was changed", option, err);
}

static _Noreturn void install(const struct config *cfg)
{
	char err[512], path[1024];
	bool existed = false;
	refuse_if_open("--state-dir", cfg->state_dir, false);
	if (cfg->password_file)
		refuse_if_open("--password-file", cfg->password_file, true);
	if (!privacl_make_dir(cfg->state_dir, &existed, err, sizeof err))
		plugin_exit(STATE_UNKNOWN, "--state-dir: %s: nothing was changed", err);
	if (!existed && privacl_judge(cfg->state_dir, false, err, sizeof err) != PRIVACL_PRIVATE)
		plugin_exit(STATE_CRITICAL, "--state-dir: made, but %s", err);
	struct report r;
	report_init(&r, info.name);
	report_summary(&r, "state folder %s %s (SYSTEM and Administrators)", cfg->state_dir,
	               existed ? "kept" : "made");
	for (size_t i = 0; i < EVENT_PROGRAMS; i++) {
		if (!installed_program(cfg, event_programs[i], path, sizeof path)) {
			report_detail(&r, "%s is not in %s: its event source is not registered",
			              event_programs[i], cfg->program_dir);
		} else if (!evsource_register(event_programs[i], path, err, sizeof err)) {
			report_raise(&r, STATE_CRITICAL);
			report_summary(&r, "%s", err);
		} else {
			report_summary(&r, "event source %s registered", event_programs[i]);
			report_detail(&r, "event source %s: EventMessageFile %s", event_programs[i], path);
		}
	}
	report_exit(&r);
}

static _Noreturn void uninstall(const struct config *cfg)
{
	char err[512];
	struct report r;
	report_init(&r, info.name);
	for (size_t i = 0; i < EVENT_PROGRAMS; i++) {
		if (evsource_unregister(event_programs[i], err, sizeof err))
			continue;
		report_raise(&r, STATE_CRITICAL);
		report_summary(&r, "%s", err);
	}
	if (r.state == STATE_OK)
		report_summary(&r, "event sources removed");
	if (!cfg->purge) {
		report_summary(&r, "state folder, ledger and password file kept (--purge removes them)");
		report_exit(&r);
	}
	char path[1024], ferr[FSYS_ERR_MAX];
	struct fsys_info fi;
	if (cfg->password_file && fsys_stat(cfg->password_file, &fi, ferr) && fi.kind == FSYS_FILE) {
		bool gone = fsys_remove_file(cfg->password_file, ferr);
		report_raise(&r, gone ? STATE_OK : STATE_CRITICAL);
		report_summary(&r, gone ? "password file %s removed" : "%s",
		               gone ? cfg->password_file : ferr);
	}
	if (cfg->state_dir && fsys_join(path, sizeof path, cfg->state_dir, LEDGER_FILE_NAME) &&
	    fsys_stat(path, &fi, ferr) && fi.kind == FSYS_FILE) {
		bool gone = fsys_remove_file(path, ferr);
		report_raise(&r, gone ? STATE_OK : STATE_CRITICAL);
		report_summary(&r, gone ? "ledger %s removed" : "%s", gone ? path : ferr);
	}
	if (cfg->state_dir && fsys_remove_dir(cfg->state_dir, ferr))
		report_summary(&r, "state folder %s removed", cfg->state_dir);
	report_exit(&r);
}

/* Why a password cannot be stored, or NULL. */
static const char *password_problem(const char *pw, size_t len)
{
	if (pw[0] == ' ' || pw[0] == '\t' || pw[len - 1] == ' ' || pw[len - 1] == '\t')
		return "the password starts or ends with a blank, which Kmspwd.ini cannot keep";
	if (memchr(pw, '\0', len) || strpbrk(pw, "\r\n"))
		return "the password holds a control character";
	return NULL;
}

static _Noreturn void password(const struct config *cfg)
{
	static char pw[SECRET_MAX + 2], text[SECRET_MAX + 32];
	char why[256];
	size_t len = 0;
	refuse_if_open("--password-file", cfg->password_file, true);
	enum pwinput_status st =
	    pwinput_read("KMS password (not shown): ", pw, sizeof pw, &len, why, sizeof why);
	static const char too_long[] = "the password is longer than " PASSWORD_MAX_TEXT " bytes";
	const char *problem = st == PWINPUT_EMPTY      ? "the password is empty"
	                      : st == PWINPUT_TOO_LONG ? too_long
	                      : st == PWINPUT_NO_INPUT ? "no password: no console and no input"
	                      : st == PWINPUT_ERROR    ? why
	                      : len > SECRET_MAX       ? too_long
	                                               : password_problem(pw, len);
	if (problem) {
		secret_wipe(pw, sizeof pw);
		plugin_exit(STATE_UNKNOWN, "%s: nothing was written", problem);
	}
	int n = snprintf(text, sizeof text, "[config]\r\npwd=%s\r\n", pw);
	secret_wipe(pw, sizeof pw);
	char err[512];
	bool ok = n > 0 && (size_t)n < sizeof text &&
	          privacl_write_file(cfg->password_file, text, (size_t)n, err, sizeof err);
	secret_wipe(text, sizeof text);
	if (!ok)
		plugin_exit(STATE_UNKNOWN, "--password-file: %s: nothing was written", err);
	plugin_exit(STATE_OK,
	            "password stored in %s (Kmspwd.ini form), readable by SYSTEM and Administrators only",
	            cfg->password_file);
}

/* One preflight line: the state it adds and its text. */
static void finding(struct report *r, plugin_state s, const char *fmt, ...) KMS_PRINTF(3, 4);
static void finding(struct report *r, plugin_state s, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	report_raise(r, s);
	if (s != STATE_OK)
		report_summary(r, "%s", text);
	report_detail(r, "%s: %s", state_name(s), text);
}

static void check_service(const struct config *cfg, struct report *r)
{
	struct svc_error err;
	struct svc_config sc;
	struct svc *s = svc_open(NULL, cfg->service, false, &err);
	if (s && svc_query_config(s, &sc, &err))
		finding(r, STATE_OK, "service %s: '%s', %s", cfg->service, sc.display_name, sc.binary_path);
	else
		finding(r, STATE_CRITICAL, "service %s: %s", cfg->service, err.text);
	if (s)
		svc_close(s);
}

static void check_kmsdata(const struct config *cfg, struct report *r)
{
	char dir[1024], db[1100], err[FSYS_ERR_MAX];
	struct fsys_info fi;
	if (cfg->kmsdata)
		snprintf(dir, sizeof dir, "%s", cfg->kmsdata);
	else if (!exchsetup_kmsdata_dir(dir, sizeof dir)) {
		finding(r, STATE_WARNING, "Kmsdata: no default folder: give --kmsdata");
		return;
	}
	if (!fsys_stat(dir, &fi, err) || fi.kind != FSYS_DIR) {
		finding(r, STATE_CRITICAL, "Kmsdata %s: %s", dir,
		        fi.kind == FSYS_MISSING ? "no such folder" : err);
		return;
	}
	struct fsys_file *f = fsys_join(db, sizeof db, dir, KMS_DB_NAME) ? fsys_open_read(db, err) : NULL;
	if (!f) {
		finding(r, STATE_CRITICAL, "Kmsdata %s: %s", dir, err);
		return;
	}
	fsys_close(f, err);
	finding(r, STATE_OK, "Kmsdata %s and its %s are readable", dir, KMS_DB_NAME);
}

static void check_password_file(const struct config *cfg, struct report *r)
{
	static struct secret pw;
	char why[512];
	if (!cfg->password_file) {
		finding(r, STATE_WARNING, "password file: not checked (no --password-file)");
		return;
	}
	enum secret_status st = secret_read_file(cfg->password_file, &pw, why, sizeof why);
	secret_clear(&pw);
	if (st == SECRET_OK && privacl_judge(cfg->password_file, true, why, sizeof why) == PRIVACL_PRIVATE)
		finding(r, STATE_OK, "password file %s holds a password, SYSTEM and Administrators only",
		        cfg->password_file);
	else
		finding(r, STATE_CRITICAL, "password file: %s", why);
}

static void check_state_dir(const struct config *cfg, struct report *r)
{
	char err[512], probe[1100];
	if (!cfg->state_dir) {
		finding(r, STATE_WARNING, "state folder: not checked (no --state-dir)");
		return;
	}
	enum privacl_verdict v = privacl_judge(cfg->state_dir, false, err, sizeof err);
	if (v == PRIVACL_MISSING) {
		finding(r, STATE_CRITICAL, "state folder %s: no such folder (kms_setup install makes it)",
		        cfg->state_dir);
		return;
	}
	if (v != PRIVACL_PRIVATE) {
		finding(r, STATE_CRITICAL, "state folder: %s", err);
		return;
	}
	if (!fsys_join(probe, sizeof probe, cfg->state_dir, PROBE_FILE) ||
	    !atomicfile_write(probe, PROBE_TEXT, sizeof PROBE_TEXT - 1, err, sizeof err)) {
		finding(r, STATE_CRITICAL, "state folder %s is not writable: %s", cfg->state_dir, err);
		return;
	}
	fsys_remove_file(probe, err);
	finding(r, STATE_OK, "state folder %s is writable, SYSTEM and Administrators only", cfg->state_dir);
}

static void check_sources(const struct config *cfg, struct report *r)
{
	char err[512], want[1024], have[1024];
	for (size_t i = 0; i < EVENT_PROGRAMS; i++) {
		if (!installed_program(cfg, event_programs[i], want, sizeof want))
			continue;
		enum evsource_state st =
		    evsource_query(event_programs[i], have, sizeof have, err, sizeof err);
		if (st == EVSOURCE_ERROR)
			finding(r, STATE_WARNING, "%s", err);
		else if (st == EVSOURCE_ABSENT)
			finding(r, STATE_WARNING, "event source %s is not registered (kms_setup install)",
			        event_programs[i]);
		else if (!fsys_same_path(have, want))
			finding(r, STATE_WARNING, "event source %s names %s, not %s (kms_setup install)",
			        event_programs[i], have, want);
		else
			finding(r, STATE_OK, "event source %s registered, messages in %s", event_programs[i],
			        have);
	}
}

static _Noreturn void check(const struct config *cfg)
{
	struct report r;
	report_init(&r, info.name);
	check_service(cfg, &r);
	check_kmsdata(cfg, &r);
	check_password_file(cfg, &r);
	check_state_dir(cfg, &r);
	check_sources(cfg, &r);
	report_detail(&r, "OK: Performance Optimizer not checked: restarting the services is a choice in its "
	                  "last dialog box, not a setting (Q263718)");
	if (r.state == STATE_OK)
		report_summary(&r,
		               "ready: the KM service, Kmsdata, the password file, the state folder and the "
		               "event sources pass");
	report_exit(&r);
}

int main(int argc, char **argv)
{
	struct config cfg;
	parse(argc, argv, &cfg);
	switch (cfg.command) {
	case CMD_INSTALL: install(&cfg);
	case CMD_UNINSTALL: uninstall(&cfg);
	case CMD_PASSWORD: password(&cfg);
	case CMD_CHECK: check(&cfg);
	}
	plugin_exit(STATE_UNKNOWN, "internal error: no subcommand");
}
