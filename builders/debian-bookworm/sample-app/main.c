/* The sample app: prints what the buildpacks set, who it runs as and on which machine. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void) {
  const char *greeting = getenv("GREETING");
  const char *motd = getenv("MOTD");
  struct utsname machine;
  uname(&machine);
  printf("%s; %s; uid=%d; %s\n", greeting ? greeting : "no GREETING", motd ? motd : "no MOTD", (int)getuid(), machine.machine);
  return 0;
}
