/** A registry user name and password (or token secret). */
export interface Credentials {
  username: string;
  password: string;
}
