/* Creates real System V IPC objects for the ipc receiver tests:
 *   sysv-helper <key> <messages> <msgsize> <nsems> <shmbytes>
 * prints "ready" once everything exists, waits for stdin to close, then removes them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

struct msg { long type; char text[8192]; };

int main(int argc, char **argv) {
  if (argc != 6) { fprintf(stderr, "usage: %s key messages msgsize nsems shmbytes\n", argv[0]); return 2; }
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  int n = atoi(argv[2]), size = atoi(argv[3]), nsems = atoi(argv[4]);
  size_t shmbytes = (size_t)atol(argv[5]);
  int q = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
  int s = semget(key, nsems, IPC_CREAT | IPC_EXCL | 0600);
  int m = shmget(key, shmbytes, IPC_CREAT | IPC_EXCL | 0600);
  if (q < 0 || s < 0 || m < 0) { perror("ipc get"); return 1; }
  struct msg msg = { .type = 1 };
  memset(msg.text, 'x', sizeof msg.text);
  for (int i = 0; i < n; i++) if (msgsnd(q, &msg, size, 0) < 0) { perror("msgsnd"); return 1; }
  void *addr = shmat(m, NULL, 0);
  if (addr == (void *)-1) { perror("shmat"); return 1; }
  printf("ready %d %d %d\n", q, s, m);
  fflush(stdout);
  while (getchar() != EOF) {}
  shmdt(addr);
  msgctl(q, IPC_RMID, NULL);
  semctl(s, 0, IPC_RMID);
  shmctl(m, IPC_RMID, NULL);
  return 0;
}
