/* The sample app: prints what the buildpacks set, and who it runs as. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void) {
  const char *greeting = getenv("GREETING");
  const char *motd = getenv("MOTD");
  printf("%s; %s; uid=%d\n", greeting ? greeting : "no GREETING", motd ? motd : "no MOTD", (int)getuid());
  return 0;
}
