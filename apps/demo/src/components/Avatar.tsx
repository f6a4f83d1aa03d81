import { safeImage } from '../links.js';

interface AvatarProps {
  url: string | null | undefined;
  name: string;
  size?: number;
}

/** A round avatar, or the name's initial when there is no usable image URL. */
export function Avatar({ url, name, size = 36 }: AvatarProps) {
  const src = safeImage(url);
  const style = { width: size, height: size };
  if (!src) {
    return (
      <span className="avatar avatar-initial" style={style} aria-hidden="true">
        {name.slice(0, 1).toUpperCase()}
      </span>
    );
  }
  return (
    <img className="avatar" src={src} alt="" style={style} loading="lazy" referrerPolicy="no-referrer" />
  );
}
